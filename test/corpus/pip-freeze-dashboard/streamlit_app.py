"""Store sales dashboard: filters in the sidebar, KPIs, two Altair charts and the filtered rows.

Its requirements.txt is a full `pip freeze` of the analyst's venv (exact pins of releases that
differ from Desklit's bundled wheels: streamlit 1.66.1, pandas 2.2.3, altair 5.5.0)."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

st.set_page_config(page_title="Store sales", page_icon="🛒", layout="wide")


@st.cache_data
def load_sales(rows: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    stores = np.array(["Lyon", "Porto", "Turin"])
    lines = np.array(["Food", "Home", "Sports", "Fashion"])
    df = pd.DataFrame(
        {
            "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, rows), unit="D"),
            "store": stores[rng.integers(0, len(stores), rows)],
            "line": lines[rng.integers(0, len(lines), rows)],
            "units": rng.integers(1, 10, rows),
            "unit_price": rng.uniform(5, 90, rows).round(2),
            "rating": rng.uniform(4, 10, rows).round(1),
        }
    )
    df["total"] = (df["units"] * df["unit_price"]).round(2)
    return df


sales = load_sales()

st.sidebar.header("Filter")
stores = st.sidebar.multiselect("Store", sorted(sales["store"].unique()), default=sorted(sales["store"].unique()))
lines = st.sidebar.multiselect("Product line", sorted(sales["line"].unique()), default=sorted(sales["line"].unique()))
picked = sales[sales["store"].isin(stores) & sales["line"].isin(lines)]

st.title("🛒 Store sales")
st.caption(f"{len(picked)} of {len(sales)} receipts")

left, middle, right = st.columns(3)
left.metric("Revenue", f"€ {picked['total'].sum():,.0f}")
middle.metric("Average rating", f"{picked['rating'].mean():.1f} / 10")
right.metric("Average receipt", f"€ {picked['total'].mean():,.2f}")

st.divider()
by_line = picked.groupby("line", as_index=False)["total"].sum()
by_week = picked.assign(week=picked["date"].dt.to_period("W").dt.start_time).groupby(["week", "store"], as_index=False)["total"].sum()

chart_left, chart_right = st.columns(2)
with chart_left:
    st.subheader("Revenue by product line")
    st.altair_chart(alt.Chart(by_line).mark_bar().encode(x="total:Q", y=alt.Y("line:N", sort="-x")), use_container_width=True)
with chart_right:
    st.subheader("Weekly revenue")
    st.altair_chart(alt.Chart(by_week).mark_line(point=True).encode(x="week:T", y="total:Q", color="store:N"), use_container_width=True)

st.subheader("Receipts")
st.dataframe(picked.sort_values("date"), hide_index=True)
