"""CSV cleaner: upload a CSV (st.file_uploader), see it parsed, download it cleaned
(st.download_button). Its requirements.txt was saved by Windows Notepad: UTF-8 with a BOM, CRLF."""

import io

import pandas as pd
import streamlit as st

st.set_page_config(page_title="CSV cleaner", page_icon="🧹")
st.title("🧹 CSV cleaner")
st.write("Upload a CSV: empty rows and duplicates go, column names are tidied.")

sample = pd.DataFrame({" Name ": ["Ada", "Alan", "Ada", None], "Score": [91, 78, 91, None]})
st.download_button("Download a sample CSV", sample.to_csv(index=False).encode("utf-8"), "sample.csv", "text/csv")

uploaded = st.file_uploader("Your CSV", type=["csv"])
if uploaded is None:
    st.info("No file yet.")
else:
    raw = pd.read_csv(uploaded)
    clean = raw.dropna(how="all").drop_duplicates()
    clean.columns = [str(c).strip().lower().replace(" ", "_") for c in clean.columns]
    st.subheader(f"{uploaded.name}: {len(raw)} rows → {len(clean)}")
    st.dataframe(clean, hide_index=True)
    buffer = io.StringIO()
    clean.to_csv(buffer, index=False)
    st.download_button("Download the cleaned CSV", buffer.getvalue(), f"clean-{uploaded.name}", "text/csv", key="clean")
