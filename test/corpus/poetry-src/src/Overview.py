import altair as alt
import streamlit as st

from src.shifting import read_prices, shift

st.set_page_config(page_title="Energy shift", layout="wide")
st.title("Energy shift")

with st.sidebar:
    st.header("Settings")
    base = st.number_input("Base load [kW]", min_value=1.0, value=4.0, step=0.5)
    share = st.slider("Movable share", 0.0, 1.0, 0.5, 0.05)
    window = st.select_slider("Shift window [h]", options=[1, 2, 3, 4, 6], value=3)

prices = read_prices()
result = shift(prices, base, share, window)
before, after = result["cost"].sum(), result["cost_shifted"].sum()

c1, c2, c3 = st.columns(3)
c1.metric("Cost without shifting", f"{before:,.2f} DKK")
c2.metric("Cost with shifting", f"{after:,.2f} DKK")
c3.metric("Saved", f"{(before - after) / before:.1%}")

long = result.melt(id_vars="hour", value_vars=["load", "shifted"], var_name="plan", value_name="kW")
st.altair_chart(alt.Chart(long).mark_line().encode(x="hour:T", y="kW:Q", color="plan:N"), use_container_width=True)
st.subheader("Hours")
st.dataframe(result[["hour", "dkk_per_mwh", "load", "shifted"]])
st.caption("Shifting plan ready")
