from datetime import datetime, timezone

import streamlit as st

import desklit_auth as auth

st.title("Session")
s = auth.session()
if s is None:
    st.info("Signed out.")
    st.stop()

u = s.user
st.markdown(f"### {u.name or u.email or u.user or 'Signed in'}")
st.markdown(f"**Email:** {u.email or '—'}  \n**User:** `{u.user or '—'}`")


@st.fragment(run_every="1s")
def expiry() -> None:
    s = auth.session()
    if s is None or s.token.expiry is None:
        st.write("Expiry: unknown")
        return
    left = s.token.seconds_left()
    when = s.token.expiry.strftime("%Y-%m-%d %H:%M:%S UTC")
    if left is None or left <= 0:
        st.error(f"The access token expired at {when}. Desklit refreshes it; sign in again if "
                 "it stays expired.")
        return
    m, sec = divmod(int(left), 60)
    h, m = divmod(m, 60)
    st.metric("Access token expires in", f"{h:d}:{m:02d}:{sec:02d}", help=when)
    st.caption(f"Expires at {when}; valid with a 30 s margin: "
               f"{'yes' if s.token.valid() else 'no'}.")


expiry()

st.subheader("Tokens")
st.table({
    "token": ["access token", "ID token"],
    "value (masked)": [auth.mask(s.token.value), auth.mask(s.token.value_id_token)],
    "length": [len(s.token.value or ""), len(s.token.value_id_token or "")],
})

st.subheader("Claims")
st.caption("Decoded for display only, not verified here (the API verifies every call).")
access = auth.decode_claims(s.token.value)
ident = auth.decode_claims(s.token.value_id_token)


def show_claims(title: str, claims) -> None:
    st.markdown(f"**{title}**")
    if not claims:
        st.write("Not a JWT (opaque token): no claims to show.")
        return
    shown = dict(claims)
    for k in ("exp", "iat", "nbf", "auth_time"):
        if isinstance(shown.get(k), (int, float)):
            t = datetime.fromtimestamp(shown[k], tz=timezone.utc)
            shown[k] = f"{shown[k]} ({t:%Y-%m-%d %H:%M:%S} UTC)"
    st.json(shown, expanded=True)


a, b = st.columns(2)
with a:
    show_claims("Access token", access)
with b:
    show_claims("ID token", ident)
