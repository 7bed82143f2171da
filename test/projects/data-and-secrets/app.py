"""Reads a file beside the script and a secret: the project runs in its own folder."""

import pandas as pd
import streamlit as st

st.title("Data and secrets")
df = pd.read_csv("data.csv")
st.write(f"data.csv has {len(df)} rows; total {df['amount'].sum()}")
st.write(f"Secret greeting: {st.secrets['greeting']}")
st.dataframe(df)
