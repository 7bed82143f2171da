import streamlit as st

if not st.user.is_logged_in:
    st.button("Log in", on_click=st.login)
else:
    st.write(f"Signed in as {st.user.name} ({st.user.email}) by {st.user.iss}")
    st.button("Log out", on_click=st.logout)
