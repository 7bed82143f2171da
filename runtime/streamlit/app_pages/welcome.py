import streamlit as st

st.title("Welcome to Desklit")
st.markdown(
    "Sign in with the **Log in** button above to use the protected API, see your session "
    "and upload files. Your sign-in stays on this computer, in the system keyring."
)
