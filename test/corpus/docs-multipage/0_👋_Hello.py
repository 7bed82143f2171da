"""Entry page of a multipage app laid out as Streamlit's docs teach it: the entrypoint beside a
pages/ folder of numbered, emoji-named scripts, and a helper module the pages import."""

import streamlit as st

from utils import show_code

st.set_page_config(page_title="Hello", page_icon="👋")

st.write("# Welcome to the field notebook! 👋")
st.sidebar.success("Pick a page above.")

st.markdown(
    """
    This notebook collects small interactive pages about an allotment garden.
    **👈 Choose a page in the sidebar**:

    - **Harvest** plots what each bed produced week by week;
    - **Beds** lists every bed with its crop and soil readings.
    """
)


def greet() -> None:
    name = st.text_input("Your name", "gardener")
    st.write(f"Good morning, {name}.")


greet()
show_code(greet)
