"""Expense log written against an older Streamlit (pinned 1.45.1): a form, session state, and a
running table — the kind of app a team keeps on the release it was written for."""

import datetime as dt

import pandas as pd
import streamlit as st

st.set_page_config(page_title="Expense log", page_icon="💶")
st.title("💶 Expense log")

if "expenses" not in st.session_state:
    st.session_state.expenses = [
        {"date": dt.date(2026, 3, 2), "what": "Train to Lyon", "category": "Travel", "amount": 64.0},
        {"date": dt.date(2026, 3, 3), "what": "Team lunch", "category": "Meals", "amount": 118.5},
    ]

with st.form("add", clear_on_submit=True):
    st.subheader("Add an expense")
    when = st.date_input("Date", dt.date(2026, 3, 4))
    what = st.text_input("What")
    category = st.selectbox("Category", ["Travel", "Meals", "Supplies"])
    amount = st.number_input("Amount (€)", min_value=0.0, step=0.5)
    if st.form_submit_button("Add") and what:
        st.session_state.expenses.append({"date": when, "what": what, "category": category, "amount": amount})

df = pd.DataFrame(st.session_state.expenses)
st.subheader("This month")
st.dataframe(df, hide_index=True)
st.metric("Total", f"€ {df['amount'].sum():.2f}")
st.bar_chart(df.groupby("category")["amount"].sum())
