"""A project with a package of its own (tabulate), sign-in, and the Secure API."""

import streamlit as st
from tabulate import tabulate

import desklit_auth as auth

st.set_page_config(page_title="Extra package")
st.title("Extra package")
st.write("tabulate " + __import__("tabulate").__version__ + " says:")
st.code(tabulate([["alpha", 1], ["beta", 2]], headers=["name", "n"]), language=None)

user = auth.sign_in()
if user:
    st.write(f"Signed in as {user.name}")
    if st.button("Call the Secure API"):
        answer = auth.requests().get("/api/pong")
        st.write(f"Secure API: {answer.status_code} {answer.json().get('data', '')}")
