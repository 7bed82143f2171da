import pandas as pd
import streamlit as st

from utils import show_code

st.set_page_config(page_title="Beds", page_icon="📊")
st.markdown("# Beds")
st.sidebar.header("Beds")


def beds() -> None:
    table = pd.DataFrame(
        {
            "bed": ["A1", "A2", "B1", "B2", "C1"],
            "crop": ["Beans", "Carrots", "Tomatoes", "Leeks", "Squash"],
            "pH": [6.4, 6.9, 6.2, 7.1, 6.6],
            "moisture (%)": [31, 27, 35, 22, 40],
        }
    )
    crop = st.selectbox("Highlight a crop", table["crop"])
    st.dataframe(table.style.apply(lambda r: ["background-color: #e8f5e9" if r["crop"] == crop else "" for _ in r], axis=1), hide_index=True)
    st.bar_chart(table, x="bed", y="moisture (%)")


beds()
show_code(beds)
