import streamlit as st
from app_pages._common import show_call

import desklit_auth as auth

REQUIRED = "read:messages"

st.title("Scoped API")
st.write(f"A protected endpoint that also needs the `{REQUIRED}` scope.")
result = show_call("/api/pong-scoped", secure=True)
if result is not None and not result.ok:
    if result.status == 403:
        s = auth.session()
        granted = auth.token_scopes(auth.decode_claims(s.token.value)) if s else []
        st.error(
            f"**403 Forbidden — `{result.code or 'insufficient_scope'}`.** Your token does not "
            f"carry the `{REQUIRED}` scope, so the API refuses this call."
        )
        st.write("Scopes in your token:", ", ".join(f"`{g}`" for g in granted) or "none")
        st.caption("Ask for the scope at sign-in (AUTH0_SCOPE) and sign in again.")
    else:
        what = f" `{result.code}`" if result.code else ""
        st.error(f"The API answered {result.status}{what}. {result.description or ''}".strip())
st.button("Call again", key="scoped_again")
