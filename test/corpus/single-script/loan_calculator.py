"""Loan calculator in one script, nothing beside it: Desklit runs it with its bundled Streamlit."""

import streamlit as st

st.set_page_config(page_title="Loan calculator", page_icon="🏠")
st.title("🏠 Loan calculator")

col1, col2, col3 = st.columns(3)
principal = col1.number_input("Amount borrowed", min_value=1000, value=250000, step=5000)
rate = col2.number_input("Yearly rate (%)", min_value=0.0, value=3.4, step=0.1)
years = col3.slider("Years", 5, 30, 20)

months = years * 12
monthly_rate = rate / 100 / 12
payment = principal / months if monthly_rate == 0 else principal * monthly_rate / (1 - (1 + monthly_rate) ** -months)

st.metric("Monthly payment", f"{payment:,.2f}")
st.metric("Total interest", f"{payment * months - principal:,.2f}")

balance, rows = principal, []
for year in range(1, years + 1):
    for _ in range(12):
        interest = balance * monthly_rate
        balance -= payment - interest
    rows.append({"year": year, "balance": max(balance, 0.0)})
st.subheader("Balance over time")
st.line_chart(rows, x="year", y="balance")
