"""The Streamlit side of the original design: it calls the notes API (api.py) with the user's
access token; the API checks the token itself."""

import requests
import streamlit as st

import desklit_auth as auth

st.set_page_config(page_title="Notes (Flask)")
st.title("Notes")
base = auth.service_url("notes-api")
st.caption(f"notes-api at {base}")


def show(label, resp):
    body = resp.json()
    st.write(f"{label}: {resp.status_code} {body.get('message') or body.get('code')} {body.get('sub', '')}")
    print(f"notes-flask: {label} {resp.status_code} {body.get('sub', body.get('code', ''))}", flush=True)


show("public", requests.get(base + "/api/public", timeout=10))
user = auth.sign_in()
if not user:
    # Signed out: the secure call has no token to send, and the API refuses it.
    show("private (signed out)", requests.get(base + "/api/private", timeout=10))
else:
    api = auth.service_session("notes-api")
    show("private", api.get("/api/private"))
    show("private-scoped", api.get("/api/private-scoped"))
