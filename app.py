"""Regiokaart: the Streamlit entry point (``streamlit run app.py``). All of the page lives in
:mod:`ui.views`; all numbers come from :mod:`geo` and :mod:`scenarios`."""

from ui.views import main

main()
