"""Helpers the pages share (imported as a plain module from the app's folder)."""

import inspect
import textwrap

import streamlit as st


def show_code(func) -> None:
    """Offers the source of func under a checkbox in the sidebar."""
    if st.sidebar.checkbox("Show code", value=True):
        st.markdown("## Code")
        lines, _ = inspect.getsourcelines(func)
        st.code(textwrap.dedent("".join(lines[1:])), language="python")
