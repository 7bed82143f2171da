"""Reading list kept in an editable table (st.data_editor with column_config), tabs and an
expander; plain `streamlit` requirement, so Desklit's bundled Streamlit runs it."""

import streamlit as st

st.set_page_config(page_title="Reading list", page_icon="📚")
st.title("📚 Reading list")

books = [
    {"title": "The Pragmatic Programmer", "pages": 352, "status": "read", "rating": 5},
    {"title": "Designing Data-Intensive Applications", "pages": 616, "status": "reading", "rating": 4},
    {"title": "Thinking, Fast and Slow", "pages": 499, "status": "to read", "rating": None},
]

shelf, stats = st.tabs(["Shelf", "Statistics"])
with shelf:
    edited = st.data_editor(
        books,
        num_rows="dynamic",
        column_config={
            "status": st.column_config.SelectboxColumn("Status", options=["to read", "reading", "read"], required=True),
            "rating": st.column_config.NumberColumn("Rating", min_value=1, max_value=5, format="%d ⭐"),
            "pages": st.column_config.NumberColumn("Pages", min_value=1),
        },
        key="books",
    )
with stats:
    read = [b for b in edited if b["status"] == "read"]
    st.metric("Books read", len(read))
    st.metric("Pages on the list", sum(b["pages"] or 0 for b in edited))
    with st.expander("Raw data"):
        st.json(edited)

st.caption("Edits stay in this browser session.")
