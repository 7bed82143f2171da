import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from utils import show_code

st.set_page_config(page_title="Harvest", page_icon="📈")
st.markdown("# Harvest")
st.sidebar.header("Harvest")


def harvest() -> None:
    rng = np.random.default_rng(3)
    weeks = np.arange(1, 21)
    beds = ["Beans", "Carrots", "Tomatoes"]
    data = pd.DataFrame({bed: rng.gamma(2, 1.2, len(weeks)).cumsum().round(1) for bed in beds}, index=weeks)
    shown = st.multiselect("Beds", beds, default=beds)
    long = data[shown].reset_index(names="week").melt("week", var_name="bed", value_name="kg")
    st.altair_chart(alt.Chart(long).mark_line().encode(x="week:Q", y="kg:Q", color="bed:N"), use_container_width=True)
    st.caption("Cumulative kilograms since the first week of April.")


harvest()
show_code(harvest)
