"""Warehouse inventory: stock levels with st.column_config, reorder alerts and a chart. Its
requirements.txt uses what pip's requirements format allows beyond plain names: -r and -c
includes, extras, environment markers and trailing comments."""

import pandas as pd
import streamlit as st

st.set_page_config(page_title="Inventory", page_icon="📦", layout="wide")
st.title("📦 Warehouse inventory")

stock = pd.DataFrame(
    {
        "sku": ["BX-100", "BX-200", "TP-010", "LB-555", "PL-020"],
        "item": ["Small box", "Large box", "Tape roll", "Labels (500)", "Pallet"],
        "on_hand": [420, 35, 12, 90, 4],
        "reorder_at": [100, 50, 20, 40, 5],
        "unit_cost": [0.35, 0.9, 1.8, 6.5, 11.0],
    }
)
stock["fill"] = (stock["on_hand"] / (stock["reorder_at"] * 3)).clip(upper=1.0)

low = stock[stock["on_hand"] < stock["reorder_at"]]
if len(low):
    st.warning(f"{len(low)} items below their reorder level: " + ", ".join(low["item"]))

st.dataframe(
    stock,
    hide_index=True,
    column_config={
        "fill": st.column_config.ProgressColumn("Stock level", min_value=0.0, max_value=1.0),
        "unit_cost": st.column_config.NumberColumn("Unit cost", format="€ %.2f"),
    },
)
st.subheader("Stock value by item")
st.bar_chart(stock.assign(value=stock["on_hand"] * stock["unit_cost"]), x="item", y="value")
