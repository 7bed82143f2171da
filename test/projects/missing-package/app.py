import streamlit as st

st.write("never runs")
