"""Regional sales explorer, a uv project (`uv init`, `uv add ...`, `uv run streamlit run main.py`):
pyproject.toml with a capped Streamlit and pandas, and the uv.lock that pins them (streamlit
1.66.1, pandas 2.2.3 — not Desklit's bundled releases) with plotly."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

st.set_page_config(page_title="Regional sales", page_icon="🗺️", layout="wide")


@st.cache_data
def orders() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    regions = np.array(["North", "South", "East", "West"])
    channels = np.array(["Online", "Retail", "Partner"])
    return pd.DataFrame(
        {
            "region": regions[rng.integers(0, 4, n)],
            "channel": channels[rng.integers(0, 3, n)],
            "amount": rng.gamma(2.0, 150.0, n).round(2),
            "margin": rng.normal(0.22, 0.06, n).round(3),
        }
    )


df = orders()
st.title("🗺️ Regional sales")

with st.sidebar:
    st.header("Options")
    channel = st.radio("Channel", ["All", *sorted(df["channel"].unique())])
    show_table = st.toggle("Show the orders", value=True)

view = df if channel == "All" else df[df["channel"] == channel]
totals = view.groupby("region", as_index=False).agg(amount=("amount", "sum"), margin=("margin", "mean"))

cols = st.columns(len(totals))
for col, row in zip(cols, totals.itertuples()):
    col.metric(row.region, f"${row.amount:,.0f}", f"{row.margin:.1%} margin")

tab_bar, tab_scatter = st.tabs(["By region", "Amount vs margin"])
with tab_bar:
    st.plotly_chart(px.bar(totals, x="region", y="amount", color="region", title="Sales by region"), use_container_width=True)
with tab_scatter:
    st.plotly_chart(px.scatter(view, x="amount", y="margin", color="region", title="Each order"), use_container_width=True)

if show_table:
    st.subheader("Orders")
    st.dataframe(view, hide_index=True)
