import pytest

from geo.errors import GridError, UnknownNameError
from geo.names import normalise_name, resolve_name


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Sint-Niklaas", "sint-niklaas"),
        ("St.-Niklaas", "sint-niklaas"),
        ("st niklaas", "sint-niklaas"),
        ("ST. TRUIDEN", "sint-truiden"),
        ("Stad Aalst", "aalst"),
        ("OCMW Herentals", "herentals"),
        ("Hamont- Achel", "hamont-achel"),
        ("Sint Pieters Leeuw", "sint-pieters-leeuw"),
        ("Écaussinnes", "ecaussinnes"),
        ("Beveren (Sint-Niklaas)", "beveren (sint-niklaas)"),
    ],
)
def test_normalise_name(raw, key):
    assert normalise_name(raw) == key


@pytest.mark.parametrize(
    ("name", "grid", "code"),
    [
        ("Sint-Niklaas", 2018, "46021"),
        ("beveren", 2018, "46003"),
        ("Beveren (Sint-Niklaas)", 2019, "46003"),
        ("Beveren", 2025, "46030"),  # Beveren-Kruibeke-Zwijndrecht
        ("Zomergem", 2018, "44080"),
        ("Zomergem", 2019, "44085"),  # pre-merger name -> Lievegem
        ("Opglabbeek", 2025, "72042"),  # -> Oudsbergen
        ("Borsbeek", 2025, "11002"),  # -> Antwerpen
        ("Courtrai", 2018, "34022"),  # French name
        ("Moerbeke-Waas", 2018, "44045"),
        ("Baarle Hertog", 2018, "13002"),
        ("Kruisem", 2019, "45068"),
        ("Pajottegem", 2025, "23106"),
    ],
)
def test_resolve(name, grid, code, data_dir):
    assert resolve_name(name, grid, data_dir) == code


def test_unknown_name_suggests_closest(data_dir):
    with pytest.raises(UnknownNameError) as e:
        resolve_name("Lo-Ringe", 2018, data_dir)
    assert "Closest: Lo-Reninge (32030)" in str(e.value)


def test_name_of_a_later_grid(data_dir):
    with pytest.raises(GridError, match=r"from the 2019 grid on .*Meeuwen-Gruitrode, Opglabbeek"):
        resolve_name("Oudsbergen", 2018, data_dir)
    with pytest.raises(GridError, match="2025 grid"):
        resolve_name("Pajottegem", 2019, data_dir)
