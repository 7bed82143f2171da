import streamlit as st
from app_pages._common import show_call

st.title("Public API")
st.write("A public endpoint: no sign-in needed.")
show_call("/api/ping", secure=False)
st.button("Call again", key="ping_again")
