"""Regiokaart geo core: municipality grids, population, plans, coverage and overlap.

Everything here is plain pandas/geopandas and never imports Streamlit. Tables are keyed by the
5-character NIS code (``nis_code``) of one municipality grid (see ``geo.settings.GRID_INFO``).
Memberships (plans, comparison layers) carry their grid as a field (``geo.membership.Membership``);
unit and statistics tables note theirs in ``DataFrame.attrs``, which grid checks treat as lost when
absent (a mismatch, never a silent pass).
"""

from geo.errors import RegiokaartError

__all__ = ["RegiokaartError"]
