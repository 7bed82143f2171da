"""One script and nothing else: it runs on Desklit's own stack."""

import streamlit as st

st.title("Hello from one file")
st.write("No requirements.txt, no pyproject.toml: Desklit's Streamlit.")
