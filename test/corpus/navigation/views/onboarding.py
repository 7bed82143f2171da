import streamlit as st

st.title("Onboarding")
st.write("Your first week, step by step.")

steps = ["Get a laptop", "Join the chat", "Read the glossary", "Pair on a ticket"]
done = [st.checkbox(step, key=f"step-{i}") for i, step in enumerate(steps)]
st.progress(sum(done) / len(steps), text=f"{sum(done)} of {len(steps)} done")

with st.expander("Who to ask"):
    st.markdown("- Hardware: **IT desk**\n- Access rights: **your lead**")
