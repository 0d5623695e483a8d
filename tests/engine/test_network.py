"""Every network kind: its structure, and the same graph from the same seed."""

import random

import networkx as nx
import numpy as np
import pytest
from mesa.discrete_space import Network

from orgabm import OrgModel
from orgabm.engine.network import OrgNetwork, build_network
from orgabm.scenario import load_scenario
from orgabm.scenario.layout import expected_ties


def org(employees=60, teams=1, **network):
    return load_scenario(
        {"organization": {"employees": employees, "teams": teams, "network": network}}
    ).organization


def build(o, seed=1):
    return build_network(o, np.random.default_rng(seed))


def edges(g):
    return sorted(tuple(sorted(e)) for e in g.edges())


def test_complete():
    g, teams = build(org(kind="complete"))
    assert g.number_of_edges() == 60 * 59 // 2
    assert (teams == 0).all()


def test_none_has_no_ties():
    g, _ = build(org(kind="none"))
    assert g.number_of_nodes() == 60 and g.number_of_edges() == 0


def test_line_is_a_chain():
    g, _ = build(org(kind="line"))
    assert nx.is_connected(g) and g.number_of_edges() == 59
    assert sorted(d for _, d in g.degree())[:2] == [1, 1]


@pytest.mark.parametrize("k", [2, 4, 6])
def test_ring_lattice_degree(k):
    g, _ = build(org(kind="ring", neighbours=k))
    assert {d for _, d in g.degree()} == {k}
    assert g.has_edge(0, 59) and g.has_edge(0, k // 2) and not g.has_edge(0, k // 2 + 1)


def test_small_world_rewires_a_share_of_a_lattice():
    lattice, _ = build(org(kind="small_world", neighbours=4, rewire=0.0))
    assert {d for _, d in lattice.degree()} == {4}
    g, _ = build(org(employees=400, kind="small_world", neighbours=4, rewire=0.2))
    assert g.number_of_edges() == 800
    ring = {tuple(sorted((i, (i + d) % 400))) for i in range(400) for d in (1, 2)}
    rewired = 1 - len(ring & set(edges(g))) / 800
    assert 0.12 < rewired < 0.28
    assert nx.average_shortest_path_length(g) < nx.average_shortest_path_length(
        build(org(employees=400, kind="ring", neighbours=4))[0]
    )


@pytest.mark.parametrize("connected", [True, False])
def test_random_has_the_exact_density(connected):
    g, _ = build(org(employees=200, kind="random", density=0.05, connected=connected))
    assert g.number_of_edges() == round(0.05 * 200 * 199 / 2)
    if connected:
        assert nx.is_connected(g)


def test_random_connected_at_the_sparsest_density_is_a_tree():
    g, _ = build(org(employees=50, kind="random", density=2 / 50, connected=True))
    assert nx.is_tree(g)


def test_scale_free_has_hubs():
    g, _ = build(org(employees=1000, kind="scale_free", attach=2))
    degrees = np.array([d for _, d in g.degree()])
    assert g.number_of_edges() == 2 * (1000 - 2)
    assert degrees.max() > 10 * np.median(degrees)


def test_teams_are_dense_inside_and_sparse_across():
    o = org(employees=120, teams=6, kind="teams", within_team_ties=1.0, cross_team_ties=0.02)
    g, teams = build(o)
    assert np.bincount(teams).tolist() == [20] * 6
    same = [teams[a] == teams[b] for a, b in g.edges()]
    assert sum(same) == 6 * 20 * 19 // 2
    cross_pairs = 120 * 119 // 2 - 6 * 190
    assert 0.01 * cross_pairs < len(same) - sum(same) < 0.03 * cross_pairs


def test_teams_with_no_cross_ties_are_islands():
    g, teams = build(org(employees=60, teams=3, kind="teams", cross_team_ties=0.0))
    assert nx.number_connected_components(g) == 3
    for component in nx.connected_components(g):
        assert len({teams[i] for i in component}) == 1


def test_hierarchy_is_teams_under_managers_under_a_head():
    g, teams = build(org(employees=31, teams=3, kind="hierarchy"))
    assert nx.is_tree(g)
    assert sorted(g.neighbors(0)) == [1, 2, 3]  # the head and the managers
    for manager in (1, 2, 3):
        reports = [v for v in g.neighbors(manager) if v != 0]
        assert len(reports) == 9 and {teams[v] for v in reports} == {teams[manager]}
    dense, _ = build(org(employees=31, teams=3, kind="hierarchy", within_team_ties=1.0))
    assert dense.number_of_edges() == 30 + 3 * 9 * 8 // 2


def test_torus_is_a_periodic_grid():
    g, _ = build(org(employees=50, kind="torus"))
    assert {d for _, d in g.degree()} == {4}
    assert g.number_of_edges() == 100
    g2, _ = build(org(employees=50, kind="torus", width=10))
    assert g2.has_edge(0, 9) and g2.has_edge(0, 10) and g2.has_edge(0, 40)


@pytest.mark.parametrize(
    "network",
    [
        {"kind": "small_world", "rewire": 0.3},
        {"kind": "random", "density": 0.1},
        {"kind": "random", "density": 0.1, "connected": False},
        {"kind": "scale_free"},
        {"kind": "teams", "cross_team_ties": 0.05},
        {"kind": "hierarchy", "within_team_ties": 0.5},
    ],
)
def test_same_seed_same_graph_other_seed_other_graph(network):
    o = org(employees=80, teams=4, **network)
    assert edges(build(o, 7)[0]) == edges(build(o, 7)[0])
    assert edges(build(o, 7)[0]) != edges(build(o, 8)[0])


@pytest.mark.parametrize(
    "network",
    [
        {"kind": "complete"},
        {"kind": "teams", "cross_team_ties": 0.05, "within_team_ties": 0.8},
        {"kind": "random", "density": 0.1},
        {"kind": "ring", "neighbours": 4},
        {"kind": "scale_free", "attach": 3},
        {"kind": "hierarchy", "within_team_ties": 0.5},
        {"kind": "torus"},
    ],
)
def test_expected_ties_matches_what_is_built(network):
    o = org(employees=100, teams=5, **network)
    built = np.mean([build(o, s)[0].number_of_edges() for s in range(5)])
    assert built == pytest.approx(expected_ties(o), rel=0.05)


def test_model_places_one_employee_on_each_node_with_the_graphs_ties():
    model = OrgModel(
        {
            "organization": {
                "employees": 40,
                "teams": 4,
                "network": {"kind": "teams", "cross_team_ties": 0.1},
            }
        },
        rng=3,
    )
    for employee in model.employee_list:
        assert employee.cell.coordinate == employee.row
        neighbours = {a.row for a in employee.cell.neighborhood.agents}
        assert neighbours == set(model.grid.G.neighbors(employee.row))
        assert employee.team == model.team[employee.row]


def test_best_of_some_rows_agrees_with_best_of_all():
    from orgabm.engine.network import Ties

    g, _ = build(org(employees=300, kind="random", density=0.03, connected=False), seed=4)
    ties = Ties.from_graph(g)
    score = np.random.default_rng(1).random(300)
    rows = np.array([5, 0, 299, 17, 17, 42])
    assert ties.best_of(rows, score).tolist() == ties.best(score)[rows].tolist()
    assert ties.best_of(np.array([], dtype=np.int64), score).tolist() == []


@pytest.mark.parametrize("kind", ["complete", "small_world", "hierarchy", "none"])
def test_org_network_wires_the_cells_as_mesas_network_does(kind):
    """OrgNetwork only wires faster: each cell's ties, in their order, as Mesa's own."""
    g, _ = build(org(teams=3, kind=kind) if kind == "hierarchy" else org(kind=kind))
    ours = OrgNetwork(g, random=random.Random(1), layout=None)
    mesas = Network(g, random=random.Random(1), layout=None)
    for node in g.nodes:
        assert list(ours[node].connections) == list(mesas[node].connections)
        assert [c.coordinate for c in ours[node].connections.values()] == list(g.neighbors(node))
