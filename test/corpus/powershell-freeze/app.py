"""Monthly KPI tracker of a team that works on Windows: its requirements.txt was written by
`pip freeze > requirements.txt` in Windows PowerShell 5, so it is UTF-16 LE with a BOM and CRLF
line ends, and pins streamlit 1.66.1 (not Desklit's bundled release)."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

st.set_page_config(page_title="KPI tracker", page_icon="📈")

months = pd.period_range("2025-01", "2025-12", freq="M").to_timestamp()
rng = np.random.default_rng(2025)
kpis = pd.DataFrame(
    {
        "month": months,
        "tickets closed": rng.integers(120, 220, len(months)),
        "first response (h)": rng.uniform(1.5, 6.0, len(months)).round(1),
        "satisfaction (%)": rng.uniform(78, 97, len(months)).round(1),
    }
)

st.title("📈 Support KPIs 2025")
kpi = st.selectbox("Indicator", [c for c in kpis.columns if c != "month"])
last, previous = kpis[kpi].iloc[-1], kpis[kpi].iloc[-2]
st.metric(f"December — {kpi}", f"{last}", f"{last - previous:+.1f}")

st.header("Trend")
base = alt.Chart(kpis).encode(x=alt.X("month:T", title=None))
st.altair_chart(base.mark_area(opacity=0.3).encode(y=f"{kpi}:Q") + base.mark_line().encode(y=f"{kpi}:Q"), use_container_width=True)

st.header("Quarterly summary")
quarters = kpis.assign(quarter=kpis["month"].dt.to_period("Q").astype(str)).groupby("quarter").agg(
    tickets=("tickets closed", "sum"), response=("first response (h)", "mean"), satisfaction=("satisfaction (%)", "mean")
)
st.table(quarters.round(1))
with st.expander("Monthly figures"):
    st.dataframe(kpis, hide_index=True)
