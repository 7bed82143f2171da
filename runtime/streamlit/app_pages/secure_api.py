import streamlit as st
from app_pages._common import show_call

st.title("Secure API")
st.write("A protected endpoint: the call carries your access token as a Bearer token.")
result = show_call("/api/pong", secure=True)
if result is not None and not result.ok:
    what = f" `{result.code}`" if result.code else ""
    st.error(f"The API answered {result.status}{what}. {result.description or ''}".strip())
st.button("Call again", key="pong_again")
