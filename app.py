"""Regiokaart Streamlit entry point (placeholder until the map app lands)."""

import streamlit as st

st.set_page_config(page_title="Regiokaart", layout="wide")
st.title("Regiokaart")
st.write("Samenwerkingsverbanden regierol sociale economie: dekking, regels en overlap.")
