"""The Streamlit app's own code: pure helpers (editor, map data, store, summary, comparison) that
are tested without a browser, and ``views``/``cache``, the only modules that import Streamlit."""
