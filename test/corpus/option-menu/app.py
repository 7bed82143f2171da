"""A third-party component from PyPI (streamlit-option-menu): a menu in the sidebar that picks
the section, and a horizontal one inside a section."""

import streamlit as st
from streamlit_option_menu import option_menu

st.set_page_config(page_title="Recipe box", page_icon="🍲")

with st.sidebar:
    section = option_menu("Recipe box", ["Browse", "Plan", "Settings"], icons=["book", "calendar", "gear"], menu_icon="egg", default_index=0)

recipes = {"Lentil soup": 35, "Green curry": 40, "Shakshuka": 25, "Risotto": 45}

if section == "Browse":
    st.title("Browse recipes")
    course = option_menu(None, ["Starters", "Mains", "Desserts"], icons=["cup", "egg-fried", "cake"], orientation="horizontal", key="course")
    st.write(f"Showing **{course.lower()}**.")
    for name, minutes in recipes.items():
        st.markdown(f"- {name} · {minutes} min")
elif section == "Plan":
    st.title("Plan the week")
    st.multiselect("Dinners", list(recipes), default=list(recipes)[:2])
else:
    st.title("Settings")
    st.number_input("Servings", 1, 12, 4)
