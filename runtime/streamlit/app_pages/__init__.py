"""The demo app's pages (run by st.navigation from app.py)."""
