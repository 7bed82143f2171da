import altair as alt
import streamlit as st

from src.shifting import read_prices

st.title("Prices")
prices = read_prices()
st.altair_chart(alt.Chart(prices).mark_bar().encode(x="hour:T", y="dkk_per_mwh:Q"), use_container_width=True)
st.write(f"Cheapest hour: {prices.loc[prices['dkk_per_mwh'].idxmin(), 'hour']:%H:%M}")
st.caption("Prices per hour")
