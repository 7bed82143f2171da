"""A project whose dependencies come from its uv.lock."""

import streamlit as st
import tabulate

st.title("uv.lock project")
st.write(f"tabulate {tabulate.__version__} from uv.lock")
