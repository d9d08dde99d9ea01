"""The org graph in NetworkX (docs/graph.md): ``OrgTree.graph`` is built on first access only,
once per tree (so once per structure date of the engine), and NetworkX's own algorithms on it
agree with the tree's arrays: shortest paths, lowest common ancestors, descendants."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings

from graph.catalogue import Kpi
from graph.engine import Engine
from graph.tree import OrgTree, build_org_tree, service_node
from store.frames import read_bundle
from store.rows import TeamVersion
from synthetic import generate_bundle
from tests.graph.generated import END
from tests.graph.test_tree import DAY0, REORG, forests, service, team

DAY = END - timedelta(days=200)  # a structure date of the generated org
AFTER_REORG = date(2024, 6, 1)  # REORG's c (and its d) sit under b


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=60, seed=5, end=END)
    return Engine(read_bundle(bundle))


def chain(tree: OrgTree, team_id: str) -> tuple[str, ...]:
    """The team's ancestors and itself, root first: from the tree's own parent links."""
    return (*tree.ancestors(team_id), team_id)


def lca(tree: OrgTree, a: str, b: str) -> str | None:
    """The lowest common ancestor from ``OrgTree.ancestors``; ``None`` across two roots."""
    common = [x for x, y in zip(chain(tree, a), chain(tree, b), strict=False) if x == y]
    return common[-1] if common else None


def path_through_lca(tree: OrgTree, a: str, b: str) -> list[str]:
    """Up from ``a`` to the common ancestor, then down to ``b``."""
    top = lca(tree, a, b)
    assert top is not None
    up, down = chain(tree, a), chain(tree, b)
    return [*reversed(up[up.index(top) :]), *down[down.index(top) + 1 :]]


def services_under(tree: OrgTree, team_id: str) -> set[str]:
    """Every service of the team's subtree, inactive ones included, from the arrays."""
    return {
        sid for t in tree.subtree(team_id) for sid in tree.services_of(t, include_inactive=True)
    }


def every_query(tree: OrgTree, services: Sequence[str]) -> list[object]:
    """Every query a view or the API asks of a tree, once per team and service."""
    answers: list[object] = [tree.team_ids, tree.roots, tree.as_of, len(tree), repr(tree)]
    for tid in tree.team_ids:
        answers += [tree.interval(tid), tree.subtree(tid), tree.parent(tid), tree.depth(tid)]
        answers += [tree.ancestors(tid), tree.children(tid), tree.children(tid, True)]
        answers += [tree.is_active(tid), tree.name(tid), tree.type(tid), tree.peers(tid)]
        answers += [tree.services_of(tid, True), tree.position(tid), tid in tree]
        answers += [tree.is_in_subtree(tid, tree.roots[0]), tree.team_at(tree.position(tid))]
    for sid in services:
        answers += [tree.owner_of(sid), tree.is_service_active(sid)]
        answers += [tree.service_name(sid), tree.service_platform(sid)]
    return answers


# --- built lazily, once ---------------------------------------------------------------------


def test_building_a_tree_and_querying_it_builds_no_graph() -> None:
    services = [service("s1", "a"), service("s2", "d"), service("s3", "ghost")]
    tree = build_org_tree(REORG, services, as_of=DAY0)
    assert not tree.graph_built
    every_query(tree, ["s1", "s2", "s3"])
    assert not tree.graph_built


def test_views_and_reports_build_no_graph(engine: Engine) -> None:
    # given a structure date's view, asked the reports, groups and trends the API serves
    view = engine.view(DAY)
    tree = view.tree
    teams = [*tree.roots, *tree.children(tree.roots[0])]
    view.reports(teams, DAY - timedelta(days=90), DAY)
    view.group(Kpi.DEPLOYMENTS_PER_WEEK, None, DAY - timedelta(days=90), DAY)
    view.trend(Kpi.LEAD_TIME_HOURS_P50, teams[-1], DAY - timedelta(days=60), DAY)
    every_query(tree, [s for t in tree.team_ids for s in tree.services_of(t, True)])
    # then the graph was never built
    assert not tree.graph_built


def test_the_graph_is_built_on_first_access_and_reused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[OrgTree] = []
    original = OrgTree._build_graph

    def counting(self: OrgTree) -> Any:
        builds.append(self)
        return original(self)

    monkeypatch.setattr(OrgTree, "_build_graph", counting)
    tree = engine.view(DAY - timedelta(days=1)).tree  # a date no other test has built
    assert not tree.graph_built
    graph = tree.graph
    assert tree.graph_built
    assert engine.view(DAY - timedelta(days=1)).tree.graph is graph  # the engine's cached view
    assert tree.graph is graph
    assert builds == [tree]
    assert graph.graph["as_of"] == tree.as_of
    assert nx.is_frozen(graph)


def test_concurrent_first_reads_build_the_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[OrgTree] = []
    original = OrgTree._build_graph

    def counting(self: OrgTree) -> Any:
        builds.append(self)
        return original(self)

    monkeypatch.setattr(OrgTree, "_build_graph", counting)
    tree = build_org_tree(REORG, as_of=DAY0)
    start = threading.Barrier(8)
    seen: list[object] = []

    def read() -> None:
        start.wait()
        seen.append(tree.graph)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len({id(g) for g in seen}) == 1


def test_nodes_carry_kind_name_active_and_depth() -> None:
    teams = [*REORG, team("old", "a", end="2020-01-01")]
    tree = build_org_tree(teams, [service("s", "d"), service("lost", "ghost")], as_of=DAY0)
    graph = tree.graph
    for tid in tree.team_ids:
        attrs = graph.nodes[tid]
        assert attrs["kind"] == "team"
        assert (attrs["name"], attrs["active"]) == (tree.name(tid), tree.is_active(tid))
        assert (
            attrs["depth"] == tree.depth(tid) == nx.shortest_path_length(graph, tree.roots[0], tid)
        )
    assert graph.nodes["old"]["active"] is False
    assert graph.nodes[service_node("s")] == {
        "name": "S",
        "platform": "native_aws",
        "active": True,
        "depth": tree.depth("d") + 1,
        "kind": "service",
    }
    assert graph.nodes[service_node("lost")]["depth"] == 0
    assert set(graph.edges) == {
        *((p, t) for t in tree.team_ids if (p := tree.parent(t)) is not None),
        ("d", service_node("s")),
    }


# --- NetworkX's algorithms agree with the arrays ----------------------------------------------


def check_algorithms(tree: OrgTree) -> None:
    """Shortest paths, LCAs and descendants of every pair of teams, NetworkX against arrays."""
    graph = tree.graph
    undirected = graph.to_undirected(as_view=True)
    for a in tree.team_ids:
        below = nx.descendants(graph, a)
        assert {n for n in below if graph.nodes[n]["kind"] == "team"} == set(tree.subtree(a)) - {a}
        assert {n[1] for n in below if graph.nodes[n]["kind"] == "service"} == services_under(
            tree, a
        )
        assert nx.ancestors(graph, a) == set(tree.ancestors(a))
        for b in tree.team_ids:
            top = lca(tree, a, b)
            assert nx.lowest_common_ancestor(graph, a, b) == top
            if top is None:
                assert not nx.has_path(undirected, a, b)
            else:
                assert nx.shortest_path(undirected, a, b) == path_through_lca(tree, a, b)


def test_networkx_algorithms_agree_with_the_tree_on_a_hand_built_org() -> None:
    teams = [*REORG, team("x", None), team("x1", "x")]
    services = [service("s1", "a"), service("s2", "d"), service("s3", "c", end="2020-01-01")]
    tree = build_org_tree(teams, services, as_of=AFTER_REORG)
    check_algorithms(tree)
    assert nx.shortest_path(tree.graph.to_undirected(as_view=True), "a", "d") == [
        "a",
        "org",
        "b",
        "c",
        "d",
    ]
    assert nx.lowest_common_ancestor(tree.graph, "a", "d") == "org"
    assert nx.lowest_common_ancestor(tree.graph, "a", "x1") is None  # two roots
    assert services_under(tree, "b") == {"s2", "s3"}


@settings(max_examples=60, deadline=None)
@given(forests())
def test_networkx_algorithms_agree_with_the_tree_on_random_forests(
    versions: list[TeamVersion],
) -> None:
    check_algorithms(build_org_tree(versions, as_of=DAY0))


def test_networkx_algorithms_agree_with_the_tree_on_a_generated_org(engine: Engine) -> None:
    tree = engine.view(DAY + timedelta(days=10)).tree
    graph = tree.graph
    undirected = graph.to_undirected(as_view=True)
    deepest = max(tree.team_ids, key=tree.depth)
    widest = max(tree.team_ids, key=lambda t: len(tree.children(t, include_inactive=True)))
    for a in (deepest, widest, *tree.roots):
        below = nx.descendants(graph, a)
        assert {n for n in below if graph.nodes[n]["kind"] == "team"} == set(tree.subtree(a)) - {a}
        assert {n[1] for n in below if isinstance(n, tuple)} == services_under(tree, a)
        for b in tree.team_ids[::3]:
            top = lca(tree, a, b)
            assert nx.lowest_common_ancestor(graph, a, b) == top
            if top is not None:
                assert nx.shortest_path(undirected, a, b) == path_through_lca(tree, a, b)


def test_the_docs_examples_run() -> None:
    """The three worked examples of docs/graph.md, on an org with the names used there."""
    teams = [
        team("org", None),
        team("team-a", "org"),
        team("team-b", "org"),
        team("team-c", "team-b"),
        team("team-d", "team-c"),
        team("elsewhere", None),
    ]
    services = [service("checkout", "team-c"), service("payments", "team-d")]
    graph = build_org_tree(teams, services, as_of=AFTER_REORG).graph
    path = nx.shortest_path(graph.to_undirected(as_view=True), "team-a", "team-d")
    assert path == ["team-a", "org", "team-b", "team-c", "team-d"]
    assert nx.lowest_common_ancestor(graph, "team-c", "team-a") == "org"
    assert nx.lowest_common_ancestor(graph, "team-c", "elsewhere") is None
    under = sorted(
        n[1] for n in nx.descendants(graph, "team-b") if graph.nodes[n]["kind"] == "service"
    )
    assert under == ["checkout", "payments"]
