import streamlit as st

from weekly_sales.features import moving_average, weekly_sales

st.set_page_config(page_title="Weekly sales")
st.title("Weekly sales")
window = st.slider("Weeks to average over", 1, 6, 3)
smoothed = moving_average(weekly_sales(), window)
st.line_chart(smoothed, x="week", y=["north", "south"])
st.dataframe(smoothed, hide_index=True)
st.caption("Sales of the package weekly_sales, installed with -e .")
