"""A small team wiki routed with st.navigation and st.Page: pages from files in views/ and one
from a function, grouped into sections, with a shared header drawn before the page runs."""

import streamlit as st

st.set_page_config(page_title="Team wiki", page_icon="📚")


def changelog() -> None:
    st.title("Changelog")
    for version, note in [("2.3", "Dark mode for the reports"), ("2.2", "CSV export"), ("2.1", "Faster search")]:
        st.markdown(f"**{version}** — {note}")


pages = {
    "Guides": [
        st.Page("views/onboarding.py", title="Onboarding", icon="🚀", default=True),
        st.Page("views/glossary.py", title="Glossary", icon="📖"),
    ],
    "Project": [st.Page(changelog, title="Changelog", icon="📝", url_path="changelog")],
}

page = st.navigation(pages)
st.sidebar.caption("Team wiki · internal")
page.run()
