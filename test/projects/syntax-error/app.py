import streamlit as st

st.title("Broken"
st.write("the parenthesis above is never closed")
