"""Desklit's demo app: sign in with the component on top, then call the protected API.

Pages appear only when signed in. The API is at DESKLIT_API_URL (default http://127.0.0.1:8888).
"""

import streamlit as st

import desklit_auth as auth

st.set_page_config(page_title="Desklit", page_icon="🔐", layout="wide")

user = auth.sign_in()

pages = [
    st.Page("app_pages/public_api.py", title="Public API", icon=":material/public:", default=True),
    st.Page("app_pages/secure_api.py", title="Secure API", icon=":material/lock:"),
    st.Page("app_pages/scoped_api.py", title="Scoped API", icon=":material/key:"),
    st.Page("app_pages/session.py", title="Session", icon=":material/badge:"),
    st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:"),
]

if user:
    st.navigation(pages).run()
elif auth.status() is None and auth.launch_token() and not auth.component_error():
    # A new browser session (or a reload): the component has not reported yet. Keep the page in
    # the URL registered, but hidden and not run, until it does.
    st.navigation(pages, position="hidden")
    if auth.component_reachable():
        st.info("Checking your session…")
    else:
        st.error(f"The sign-in component is not reachable at {auth.component_url()}. Is Desklit "
                 "running? Check `desklit status`.")
else:
    st.navigation([st.Page("app_pages/welcome.py", title="Welcome", icon="🔐")],
                  position="hidden").run()
