import streamlit as st

st.title("Glossary")
terms = {
    "SLA": "The response time we promise a customer.",
    "Runbook": "The steps to follow when an alert fires.",
    "Postmortem": "What we write after an incident, without blame.",
}
query = st.text_input("Search", "")
for term, meaning in terms.items():
    if query.lower() in (term + meaning).lower():
        st.subheader(term)
        st.write(meaning)
