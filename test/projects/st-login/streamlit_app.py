import streamlit as st

print("st.user:", st.user.email if st.user.is_logged_in else "signed out", flush=True)
if not st.user.is_logged_in:
    st.button("Log in", on_click=st.login, type="primary")
else:
    st.write(f"Signed in as {st.user.name} ({st.user.email}) by {st.user.iss}")
    st.button("Log out", on_click=st.logout, type="primary")
