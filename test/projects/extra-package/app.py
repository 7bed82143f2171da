"""A project with a package of its own (tabulate), sign-in, the Secure API, and asking for sign-in
again (require_sign_in)."""

import streamlit as st
import tabulate

import desklit_auth as auth

st.set_page_config(page_title="Extra package")
st.title("Extra package")
st.write(f"tabulate {tabulate.__version__} says:")
st.code(tabulate.tabulate([["alpha", 1], ["beta", 2]], headers=["name", "n"]), language=None)
print(f"extra-package: tabulate {tabulate.__version__} imported", flush=True)

user = auth.sign_in()
if user:
    st.write(f"Signed in as {user.name}")
    answer = auth.requests().get("/api/pong")
    st.write(f"Secure API: {answer.status_code} {answer.json().get('data', '')}")
    print(f"extra-package: the Secure API answered {answer.status_code}", flush=True)
    # What an app does when its API refuses the token: the component offers sign-in again.
    st.button("The API refused my token", on_click=auth.require_sign_in)
