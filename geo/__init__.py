"""Regiokaart geo core: municipality grids, population, plans, coverage and overlap.

Everything here is plain pandas/geopandas and never imports Streamlit. Tables are keyed by the
5-character NIS code (``nis_code``) of one municipality grid (2018, 2019 or 2025); every table carries
its grid (and, for statistics, its reference year) in ``DataFrame.attrs``.
"""

from geo.errors import RegiokaartError

__all__ = ["RegiokaartError"]
