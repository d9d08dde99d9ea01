"""The org tree on a structure date: placement rules (kpis.md, "Attribution and rollup") on
hand-built orgs with known answers, and the Euler-tour invariants on random forests."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.tree import OrgTree, build_org_tree, service_node
from store.models import OPEN_START
from store.rows import ServiceVersion, TeamVersion

D = date.fromisoformat


def team(
    tid: str, parent: str | None, start: str = "", end: str = "", name: str = ""
) -> TeamVersion:
    """A team version; empty dates are open (``OPEN_START`` / ``None``, as the store has them)."""
    return TeamVersion(
        tid,
        name or tid.upper(),
        parent,
        "team",
        D(start) if start else OPEN_START,
        D(end) if end else None,
    )


def service(sid: str, owner: str, start: str = "", end: str = "") -> ServiceVersion:
    """A service version, same conventions as :func:`team`."""
    return ServiceVersion(
        sid,
        sid.upper(),
        owner,
        "native_aws",
        D(start) if start else OPEN_START,
        D(end) if end else None,
    )


def team_edges(tree: OrgTree) -> set[tuple[str, str]]:
    """The parent -> child edges between teams in ``tree.graph``."""
    return {(u, v) for u, v in tree.graph.edges if tree.graph.nodes[v]["kind"] == "team"}


# --- hand-built scenarios -------------------------------------------------------------------

REORG = [
    team("org", None),
    team("a", "org"),
    team("b", "org"),
    team("c", "a", end="2024-03-01", name="C under A"),
    team("c", "b", start="2024-03-01", name="C under B"),
    team("d", "c"),
]


def test_a_team_that_moved_takes_its_subtree_to_its_new_parent() -> None:
    before = build_org_tree(REORG, as_of=D("2024-02-29"))
    after = build_org_tree(REORG, as_of=D("2024-03-01"))  # valid_from is inclusive

    assert before.parent("c") == "a"
    assert before.subtree("a") == ("a", "c", "d")
    assert before.is_in_subtree("d", "a")
    assert before.name("c") == "C under A"
    assert before.team_ids == ("org", "a", "c", "d", "b")

    assert after.parent("c") == "b"
    assert after.subtree("a") == ("a",)
    assert after.subtree("b") == ("b", "c", "d")
    assert not after.is_in_subtree("d", "a")
    assert after.is_in_subtree("d", "b")
    assert after.name("c") == "C under B"
    assert after.team_ids == ("org", "a", "b", "c", "d")
    assert after.interval("b") == (2, 5)
    assert after.ancestors("d") == ("org", "b", "c")
    assert after.depth("d") == 3
    assert all(after.is_active(t) for t in after.team_ids)


def test_a_dissolved_team_stays_inactive_under_its_last_parent() -> None:
    versions = [
        team("org", None),
        team("a", "org"),
        team("b", "org"),
        team("x", "b", end="2023-01-01"),
        team("x", "a", start="2023-01-01", end="2024-01-01"),  # its last day was under a
    ]
    last_day = build_org_tree(versions, as_of=D("2023-12-31"))
    assert last_day.is_active("x")
    assert last_day.children("a") == ("x",)

    tree = build_org_tree(versions, as_of=D("2024-01-01"))  # valid_to is exclusive
    assert not tree.is_active("x")
    assert tree.parent("x") == "a"
    assert tree.children("a") == ()
    assert tree.children("a", include_inactive=True) == ("x",)
    assert tree.is_in_subtree("x", "org")
    assert tree.subtree("a") == ("a", "x")
    assert tree.peers("a") == ("b",)
    assert tree.peers("x") == ()  # inactive siblings are no peers, and a has no other child
    assert tree.graph.nodes["x"]["active"] is False


def test_a_future_team_sits_under_the_parent_of_its_first_version() -> None:
    versions = [
        team("org", None),
        team("a", "org"),
        team("b", "org"),
        team("new", "a", start="2025-01-01", end="2026-01-01"),
        team("new", "b", start="2026-01-01"),
    ]
    tree = build_org_tree(versions, as_of=D("2024-06-01"))
    assert tree.parent("new") == "a"
    assert not tree.is_active("new")
    assert tree.children("a") == ()
    assert tree.children("a", include_inactive=True) == ("new",)
    assert build_org_tree(versions, as_of=D("2026-01-01")).parent("new") == "b"


def test_a_gap_in_history_uses_the_latest_version_before_the_date() -> None:
    versions = [
        team("org", None),
        team("a", "org"),
        team("b", "org"),
        team("g", "a", start="2020-01-01", end="2021-01-01", name="first"),
        team("g", "b", start="2022-01-01", name="second"),
    ]
    tree = build_org_tree(versions, as_of=D("2021-06-01"))
    assert (tree.parent("g"), tree.is_active("g"), tree.name("g")) == ("a", False, "first")
    assert build_org_tree(versions, as_of=D("2022-01-01")).is_active("g")


def test_a_chain_of_inactive_ancestors_stays_whole() -> None:
    versions = [
        team("org", None),
        team("dept", "org", end="2022-01-01"),
        team("t1", "dept", end="2021-01-01"),
        team("t2", "t1", end="2020-01-01"),
        team("live", "org"),
    ]
    tree = build_org_tree(versions, as_of=D("2024-01-01"))
    assert tree.ancestors("t2") == ("org", "dept", "t1")
    assert tree.depth("t2") == 3
    assert [tree.is_active(t) for t in ("org", "dept", "t1", "t2")] == [True, False, False, False]
    assert tree.subtree("org") == ("org", "dept", "t1", "t2", "live")
    assert tree.children("org") == ("live",)
    assert tree.roots == ("org",)
    assert len(tree) == 5


def test_services_follow_their_owner_on_the_structure_date() -> None:
    teams = [team("org", None), team("a", "org"), team("b", "org")]
    services = [
        service("moved", "a", end="2024-01-01"),
        service("moved", "b", start="2024-01-01"),
        service("gone", "a", end="2023-01-01"),
        service("soon", "b", start="2025-01-01", end="2026-01-01"),
        service("soon", "a", start="2026-01-01"),
    ]
    before = build_org_tree(teams, services, as_of=D("2023-12-31"))
    assert before.owner_of("moved") == "a"
    assert before.services_of("a") == ("moved",)

    tree = build_org_tree(teams, services, as_of=D("2024-06-01"))
    assert tree.owner_of("moved") == "b"
    assert tree.services_of("a") == ()
    assert tree.services_of("b") == ("moved",)
    # An ended service sits under its last owner, a future one under its first owner.
    assert (tree.owner_of("gone"), tree.is_service_active("gone")) == ("a", False)
    assert (tree.owner_of("soon"), tree.is_service_active("soon")) == ("b", False)
    assert tree.services_of("a", include_inactive=True) == ("gone",)
    assert tree.services_of("b", include_inactive=True) == ("moved", "soon")
    assert tree.graph.nodes[service_node("gone")] == {
        "name": "GONE",
        "platform": "native_aws",
        "active": False,
        "depth": 2,
        "kind": "service",
    }
    assert (tree.service_name("gone"), tree.service_platform("gone")) == ("GONE", "native_aws")
    assert set(tree.graph.predecessors(service_node("moved"))) == {"b"}
    assert len(tree) == 3  # services are no teams


def test_a_team_and_a_service_may_share_an_id() -> None:
    tree = build_org_tree([team("pay", None)], [service("pay", "pay")], as_of=D("2024-01-01"))
    assert tree.graph.nodes["pay"]["kind"] == "team"
    assert tree.graph.nodes[service_node("pay")]["kind"] == "service"
    assert list(tree.graph.successors("pay")) == [service_node("pay")]


def test_unknown_references_make_roots_and_ownerless_services() -> None:
    tree = build_org_tree(
        [team("a", "ghost"), team("b", None), team("self", "self")],
        [service("s", "ghost")],
        as_of=D("2024-01-01"),
    )
    assert tree.roots == ("a", "b", "self")
    assert tree.peers("a") == ("b", "self")
    assert tree.owner_of("s") is None
    assert tree.graph.in_degree(service_node("s")) == 0


def test_a_cycle_across_dates_is_cut_at_its_smallest_inactive_team() -> None:
    versions = [
        team("a", "b", start="2020-01-01", end="2021-01-01"),  # ended under b
        team("b", "a", start="2022-01-01"),  # starts later under a
        team("m", "n"),  # active under n ...
        team("n", "m", end="2020-01-01"),  # ... which ended under m: cut n, though m < n
    ]
    tree = build_org_tree(versions, as_of=D("2021-06-01"))
    assert tree.roots == ("a", "n")
    assert (tree.parent("b"), tree.parent("m")) == ("a", "n")
    for _ in range(5):  # the cut does not depend on the input order
        shuffled = random.Random(_).sample(versions, len(versions))
        assert team_edges(build_org_tree(shuffled, as_of=D("2021-06-01"))) == team_edges(tree)


def test_overlapping_duplicates_pick_the_same_version_whatever_the_order() -> None:
    versions = [team("a", None, name="one"), team("a", None, name="two"), team("b", None)]
    names = {build_org_tree(v, as_of=D("2024-01-01")).name("a") for v in (versions, versions[::-1])}
    assert len(names) == 1


def test_deep_and_wide_trees_build_without_recursion() -> None:
    n = 20_000
    chain = [team("t00000", None)] + [team(f"t{i:05d}", f"t{i - 1:05d}") for i in range(1, n)]
    tree = build_org_tree(chain, as_of=D("2024-01-01"))
    assert tree.depth(f"t{n - 1:05d}") == n - 1
    assert tree.interval("t00000") == (0, n)
    assert len(tree.ancestors(f"t{n - 1:05d}")) == n - 1
    star = build_org_tree(
        [team("hub", None)] + [team(f"x{i}", "hub") for i in range(n)], as_of=D("2024-01-01")
    )
    assert len(star.children("hub")) == n
    assert star.peers("x0")[:2] == ("x1", "x10")  # sorted by id


def test_positions_and_lookups() -> None:
    tree = build_org_tree(REORG, as_of=D("2024-06-01"))
    for i, tid in enumerate(tree.team_ids):
        assert tree.team_at(i) == tid
        assert tree.position(tid) == i
    assert "c" in tree
    assert "nope" not in tree
    assert tree.type("c") == "team"
    assert tree.as_of == D("2024-06-01")
    assert tree.peers("org") == ()
    with pytest.raises(IndexError):
        tree.team_at(-1)
    with pytest.raises(IndexError):
        tree.team_at(len(tree))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.interval("nope"),
        lambda t: t.position("nope"),
        lambda t: t.is_in_subtree("nope", "a"),
        lambda t: t.is_in_subtree("a", "nope"),
        lambda t: t.subtree("nope"),
        lambda t: t.parent("nope"),
        lambda t: t.children("nope"),
        lambda t: t.ancestors("nope"),
        lambda t: t.depth("nope"),
        lambda t: t.is_active("nope"),
        lambda t: t.name("nope"),
        lambda t: t.type("nope"),
        lambda t: t.services_of("nope"),
        lambda t: t.owner_of("nope"),
        lambda t: t.is_service_active("nope"),
        lambda t: t.service_name("nope"),
        lambda t: t.service_platform("nope"),
        lambda t: t.peers("nope"),
    ],
)
def test_unknown_ids_raise_key_error_naming_the_id(call: Callable[[OrgTree], object]) -> None:
    tree = build_org_tree(REORG, as_of=D("2024-06-01"))
    with pytest.raises(KeyError, match="'nope'"):
        call(tree)


def test_the_tree_and_its_graph_are_immutable() -> None:
    tree = build_org_tree(REORG, [service("s", "a")], as_of=D("2024-06-01"))
    with pytest.raises(AttributeError):
        tree._pos = {}
    with pytest.raises(nx.NetworkXError):
        tree.graph.add_edge("a", "b")


def test_the_graph_equals_one_built_through_the_networkx_api() -> None:
    teams = [*REORG, team("old", "a", end="2020-01-01")]
    services = [service("s1", "a"), service("s2", "old"), service("s3", "ghost")]
    tree = build_org_tree(teams, services, as_of=D("2024-06-01"))
    expected = nx.DiGraph(as_of=D("2024-06-01"))
    for tid in tree.team_ids:
        attrs = {"name": tree.name(tid), "type": "team", "active": tree.is_active(tid)}
        expected.add_node(tid, **attrs, depth=tree.depth(tid), kind="team")
        if (p := tree.parent(tid)) is not None:
            expected.add_edge(p, tid)
    for sid in ("s1", "s2", "s3"):
        owner = tree.owner_of(sid)
        depth = 0 if owner is None else tree.depth(owner) + 1
        attrs = {"name": sid.upper(), "platform": "native_aws", "active": True, "depth": depth}
        expected.add_node(service_node(sid), **attrs, kind="service")
        if owner is not None:
            expected.add_edge(owner, service_node(sid))
    assert nx.utils.graphs_equal(tree.graph, expected)
    assert nx.is_branching(tree.graph)
    assert nx.utils.graphs_equal(tree.graph.copy(), expected)  # copies and views still work
    assert nx.number_connected_components(tree.graph.to_undirected()) == 2


# --- properties on random forests -----------------------------------------------------------


@st.composite
def forests(draw: st.DrawFn) -> list[TeamVersion]:
    """A random valid forest, open-ended versions, ids not in the order they were drawn."""
    n = draw(st.integers(1, 40))
    names = draw(st.permutations([f"t{i:02d}" for i in range(n)]))
    parents = [draw(st.integers(-1, i - 1)) for i in range(n)]  # -1: a root
    return [team(names[i], names[p] if p >= 0 else None) for i, p in enumerate(parents)]


DAY0 = D("2024-01-01")


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[TeamVersion], date]:
    """Random histories: 1-3 consecutive or gapped versions per team, any parent (even unknown,
    or one making a cycle), and a structure date anywhere around them."""
    n = draw(st.integers(1, 25))
    ids = [f"t{i:02d}" for i in range(n)]
    parent_choice = st.sampled_from([*ids, "ghost"]) | st.none()
    versions = []
    for tid in ids:
        start = draw(st.integers(0, 20))
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 10))
            open_end = draw(st.booleans()) and draw(st.booleans())
            end = None if open_end else DAY0 + timedelta(start + length)
            versions.append(
                TeamVersion(tid, tid, draw(parent_choice), None, DAY0 + timedelta(start), end)
            )
            if end is None:
                break
            start += length + draw(st.integers(0, 3))
    return versions, DAY0 + timedelta(draw(st.integers(-2, 60)))


def check_euler_tour(tree: OrgTree) -> None:
    """Every invariant the intervals promise, against networkx and against parent walks."""
    graph = tree.graph.subgraph(t for t, kind in tree.graph.nodes(data="kind") if kind == "team")
    assert nx.is_branching(graph)
    assert sorted(tree.team_ids) == sorted(graph.nodes)  # every team exactly once
    assert tree.roots == tuple(sorted(t for t in graph if graph.in_degree(t) == 0))
    for y in tree.team_ids:
        below = nx.descendants(graph, y) | {y}
        for x in tree.team_ids:
            assert tree.is_in_subtree(x, y) == (x in below)
        kids = tree.children(y, include_inactive=True)
        assert kids == tuple(sorted(graph.successors(y)))
        assert tree.children(y) == tuple(k for k in kids if tree.is_active(k))
        parts = [tree.subtree(k) for k in kids]
        assert tree.subtree(y) == (y, *(t for part in parts for t in part))
        assert len(set(tree.subtree(y))) == len(tree.subtree(y))
        assert tree.interval(y) == (tree.position(y), tree.position(y) + len(tree.subtree(y)))
        walk = []
        node = tree.parent(y)
        while node is not None:
            walk.append(node)
            node = tree.parent(node)
        assert tree.ancestors(y) == tuple(reversed(walk))
        assert tree.depth(y) == len(tree.ancestors(y))


@settings(max_examples=150, deadline=None)
@given(forests())
def test_intervals_match_networkx_on_random_forests(versions: list[TeamVersion]) -> None:
    tree = build_org_tree(versions, as_of=DAY0)
    check_euler_tour(tree)
    assert team_edges(tree) == {(v.parent_id, v.id) for v in versions if v.parent_id}
    assert all(tree.is_active(t) for t in tree.team_ids)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_any_history_gives_a_forest_placed_by_the_rules(
    case: tuple[list[TeamVersion], date],
) -> None:
    versions, as_of = case
    tree = build_org_tree(versions, as_of=as_of)
    check_euler_tour(tree)
    ids = {v.id for v in versions}
    for tid in ids:
        own = sorted((v for v in versions if v.id == tid), key=lambda v: v.valid_from)
        valid = [
            v for v in own if v.valid_from <= as_of and (v.valid_to is None or as_of < v.valid_to)
        ]
        before = [v for v in own if v.valid_from <= as_of]
        placed = valid[0] if valid else before[-1] if before else own[0]
        assert tree.is_active(tid) == bool(valid)
        expected = placed.parent_id if placed.parent_id in ids else None
        # The only departure from the rule: a cycle cut, which makes a root.
        assert tree.parent(tid) in (expected, None)
        if tree.parent(tid) is None and expected is not None:
            assert tid in nx.ancestors(tree.graph, expected) or expected == tid
