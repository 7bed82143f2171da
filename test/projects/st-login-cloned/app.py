# An app written for Streamlit's own sign-in as public repositories have it (modelled on
# kajarenc/stauthlib @ 6703566, a Streamlit engineer's st.login demo): a button per provider,
# no .streamlit/secrets.toml (.gitignore keeps it out; secrets.toml.example shows its shape).
import streamlit as st

st.set_page_config(page_title="Auth demo", page_icon=":material/person_add:")

st.title("Auth demo!")

left, middle, logout_column = st.columns([1, 1, 1])

with left:
    if st.button("Google Login"):
        st.login(provider="google")

with middle:
    if st.button("Auth0 Login"):
        st.login("auth0")

with logout_column:
    if st.button("Logout"):
        st.logout()

if st.user.is_logged_in:
    st.write(f"Signed in as {st.user.name} ({st.user.email})")
else:
    st.write("Not signed in")

st.header("Secrets.toml file example:")
with open("./.streamlit/secrets.toml.example", "r") as f:
    st.code(f.read(), language="toml")
