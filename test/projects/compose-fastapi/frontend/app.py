import os

import requests
import streamlit as st

api_url = os.getenv("API_URL", "http://localhost:8765")

st.title("Products")
st.caption(f"API at {api_url}")

if st.button("List all products"):
    response = requests.get(f"{api_url}/products", timeout=10)
    for p in response.json():
        st.write(f"{p['name']}: {p['stock_quantity']} in stock at {p['price']:.2f}")

with st.form("add"):
    name = st.text_input("New product name", "cherry")
    if st.form_submit_button("Add a new product"):
        response = requests.post(f"{api_url}/products", json={"id": 3, "name": name, "price": 0.1, "stock_quantity": 1000}, timeout=10)
        st.success(f"Added {response.json()['name']}")
