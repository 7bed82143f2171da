"""Iris species predictor: a random forest trained on scikit-learn's bundled Iris data, sliders
for the four measurements, the prediction with its probabilities and a Plotly scatter."""

import pandas as pd
import plotly.express as px
import streamlit as st
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

st.set_page_config(page_title="Iris predictor", page_icon="🌸")


@st.cache_resource
def train():
    iris = load_iris(as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.25, random_state=0)
    model = RandomForestClassifier(n_estimators=60, random_state=0).fit(x_train, y_train)
    return iris, model, model.score(x_test, y_test)


iris, model, accuracy = train()
st.title("🌸 Iris predictor")
st.caption(f"Random forest, test accuracy {accuracy:.0%}")

st.sidebar.header("Measurements (cm)")
values = {
    name: st.sidebar.slider(name, float(iris.data[name].min()), float(iris.data[name].max()), float(iris.data[name].mean()))
    for name in iris.data.columns
}
sample = pd.DataFrame([values])
proba = model.predict_proba(sample)[0]
species = iris.target_names[proba.argmax()]

st.subheader(f"Prediction: {species}")
st.bar_chart(pd.DataFrame({"probability": proba}, index=iris.target_names))

frame = iris.frame.assign(species=iris.target_names[iris.target])
fig = px.scatter(frame, x="petal length (cm)", y="petal width (cm)", color="species", title="The training data")
fig.add_scatter(x=[values["petal length (cm)"]], y=[values["petal width (cm)"]], mode="markers", marker={"size": 14, "symbol": "x"}, name="yours")
st.plotly_chart(fig, use_container_width=True)
