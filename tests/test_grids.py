import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.codes import load_crosswalk, move_table, normalise_code
from geo.context import load_grid_data
from geo.errors import CRSError, GridError
from geo.grids import check_grid, load_context, load_units, require_same_crs


@pytest.mark.parametrize(("grid", "n"), [(2018, 308), (2019, 300), (2025, 285)])
def test_unit_tables(grid, n, data_dir):
    u = load_units(grid, data_dir)
    assert len(u) == n and u.index.is_unique and u.index.name == "nis_code"
    assert all(len(c) == 5 and c.isdigit() for c in u.index)
    assert u.attrs["grid"] == grid and u.crs.to_epsg() == 31370
    assert u["centrumstad"].sum() == 13
    assert not u.index.str.startswith("21").any()  # Brussels is never a unit
    assert u["area_km2"].sum() == pytest.approx(13_625, abs=30)
    assert set(u["province"]) == {
        "Antwerpen",
        "Vlaams-Brabant",
        "West-Vlaanderen",
        "Oost-Vlaanderen",
        "Limburg",
    }
    assert u.geometry.is_valid.all()


def test_unit_facts(data_dir):
    u = load_units(2025, data_dir)
    assert u.at["71072", "name"] == "Hasselt" and u.at["71072", "centrumstad"]
    assert u.at["46030", "province"] == "Oost-Vlaanderen"
    assert u.at["24062", "arrondissement"] == "Leuven"
    assert load_units(2018, data_dir).at["44080", "name"] == "Zomergem"
    assert u.at["13002", "geometry"].geom_type == "MultiPolygon"  # Baarle-Hertog exclaves
    assert len(load_context(2025, data_dir)) == 19


def test_crosswalk_chain(data_dir):
    cw = load_crosswalk(data_dir)
    m = cw.mapping(2018, 2025)
    assert m["44080"] == "44085"  # Zomergem -> Lievegem
    assert m["71047"] == "72042"  # Opglabbeek -> Oudsbergen
    assert m["11007"] == "11002"  # Borsbeek -> Antwerpen
    assert m["73040"] == "71072"  # Kortessem -> Hasselt
    assert cw.grids_of("44085") == [2019, 2025]
    with pytest.raises(GridError, match="back"):
        cw.mapping(2025, 2018)


def test_move_table_sums(data_dir):
    gd = load_grid_data(2018, 2016, data_dir)
    moved = move_table(gd.population, 2018, 2025, gd.crosswalk)
    assert moved.sum() == gd.population.sum() and len(moved) == 285
    with pytest.raises(GridError, match="not municipalities of the 2025 grid"):
        move_table(gd.population, 2025, 2025, gd.crosswalk)


def test_adjacency_real(data_dir):
    gd = load_grid_data(2025, 2016, data_dir)
    # Voeren borders no Flemish municipality; it is linked to its nearest one
    # regression pin: Riemst, `uv run python -c "from geo.context import load_grid_data;
    # print(load_grid_data(2025, 2016).adjacency['73109'])"`
    assert gd.adjacency["73109"] == frozenset({"73066"})
    assert "11002" in gd.adjacency["11001"]  # Aartselaar - Antwerpen
    assert all(gd.adjacency[b] for b in gd.adjacency)


def test_check_grid():
    assert check_grid(2019) == 2019
    with pytest.raises(GridError, match="Choose one of 2018, 2019, 2025"):
        check_grid(2020)


def test_normalise_code():
    assert normalise_code(11002) == "11002"
    assert normalise_code("11002.0") == "11002"
    assert normalise_code(" 44021 ") == "44021"
    with pytest.raises(ValueError):
        normalise_code("1100")


def test_crs_guard():
    a = gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:31370")
    b = gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:4326")
    require_same_crs(a, a)
    with pytest.raises(CRSError, match="mismatch"):
        require_same_crs(a, b)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        require_same_crs(a, gpd.GeoSeries([box(0, 0, 1, 1)]))


@pytest.mark.realdata
def test_grid_registry_holds_every_grid_fact(data_dir):
    from geo.population import available_years, data_grid_for_year
    from geo.settings import GRID_INFO, GRIDS, grid_for_year

    assert list(GRIDS) == sorted(GRID_INFO)
    for g, info in GRID_INFO.items():
        assert len(load_units(g, data_dir)) == info.n_flemish == GRIDS[g]
        assert grid_for_year(info.first_year) == g
        if info.last_year is not None:
            assert grid_for_year(info.last_year + 1) != g
    # every population year of the data belongs to exactly one grid of the registry
    for year in available_years(data_dir):
        assert sum(info.holds_year(year) for info in GRID_INFO.values()) <= 1
        assert data_grid_for_year(year) in GRID_INFO
