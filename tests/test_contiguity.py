from geo.contiguity import build_adjacency, components, n_parts


def test_rook_adjacency_excludes_corner_touch(adjacency):
    assert "11002" in adjacency["11001"]  # shared edge
    assert "11004" in adjacency["11001"]
    assert "11005" not in adjacency["11001"]  # corner only


def test_exclave_is_one_node(adjacency):
    # Exclavia touches Gem3 with its main piece; its far exclave does not split a cluster
    assert "11003" in adjacency["31001"]
    assert n_parts(["11003", "31001"], adjacency) == 1


def test_island_linked_to_nearest(adjacency):
    assert adjacency["31002"] == frozenset({"31001"})
    assert n_parts(["31001", "31002"], adjacency) == 1


def test_two_parts(adjacency):
    parts = components(["11001", "11009", "11002"], adjacency)
    assert parts == [["11001", "11002"], ["11009"]]
    assert n_parts([], adjacency) == 0


def test_single_unit_has_no_neighbours(units):
    adj = build_adjacency(units.iloc[:1])
    assert adj == {"11001": frozenset()}
