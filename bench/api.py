"""API benchmark: the GraphQL server under uvicorn, queried over real HTTP at 1 and 8
concurrent clients, for (a) ``{ __typename }`` (the stack's floor), (b) the root team's full
KPI report, repeated (the view's caches answer) and with a window never asked before (nothing
computed is reused), and (c) a team page (the team, its ancestors, its first 20 children with
6 KPIs each and a 52-week trend), and (d) the root's status of every initiative (value,
progress, pace, forecast, state).

    .venv/bin/python -m bench.api --teams 20000 [--seconds 20] [--access open,admin,scoped]
        [--only "team page"] [--clients 1,8] [--baseline DIR ...]

The server runs in a process of its own (one uvicorn worker), its engine built from a generated
bundle's files (the store read is measured by bench/rollup.py). ``--access`` runs each query
against a server of each kind in turn: ``open`` (no token), ``admin`` (closed, an admin token:
every request looks its token up in the store) and ``scoped`` (closed, a viewer token scoped to
the team of (c): the scope's view and its masked comparisons too). Prints a Markdown table.

``--baseline DIR`` (repeatable) also serves the same bundle from a checkout of an earlier commit
(``git worktree add --detach /tmp/orgraph-base <commit>``; run with this checkout's ``.venv``),
open as orgraph was before tokens; the report asks only the KPIs every server has. All servers
run at once, and with one client each round sends the query to every server in a new random
order (interleaved), so that the machine's noise falls on all alike: the *ratio* column (p50
over the first server's, the first baseline's when there is one) is the figure to read. With
more clients the servers are measured one after the other.
Each server holds its own engine: some 3.7 GB at 20,000 teams.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.load import END
from graph.catalogue import CATALOGUE

START = END - timedelta(days=365)
KPIS = (
    "deploymentsPerWeek changeFailureRate leadTimeHoursP50 timeToRestoreHoursP50 "
    "unreviewedMergeRate headcount"
)
METRIC = "{ value sampleSize orgValue parentValue peerMedian peerPercentile zScore previousValue }"
WINDOW = f'from: "{START}", to: "{END}"'
#: a variable's value that ``_load`` replaces with a window end no request used before
NEW_WINDOW = "new window"


def report_body(known: frozenset[str] | None = None) -> str:
    """Every KPI of the catalogue (or those of them a baseline's ``KpiReport`` has: ``known``),
    with its comparisons, the tier, unresolved incidents and headcount by role."""
    fields = [d.field for d in CATALOGUE.values() if known is None or d.field in known]
    return (
        " ".join(f"{field} {METRIC}" for field in fields)
        + " deploymentTier unresolvedIncidents unmeasuredServices headcountByRole { role count }"
    )


def queries(root: str, team: str, known: frozenset[str] | None = None) -> dict[str, dict[str, Any]]:
    body = report_body(known)
    return {
        "(a) { __typename }": {"query": "{ __typename }"},
        "(b) root KPI report": {
            "query": f'{{ team(key: "{root}", asOf: "{END}") {{ kpis({WINDOW}) {{ {body} }} }} }}'
        },
        # each request a window never asked before: nothing computed is reused
        "(b) root KPI report, a new window each time": {
            "query": f'query($to: Date!) {{ team(key: "{root}", asOf: "{END}") '
            f'{{ kpis(from: "{START}", to: $to) {{ {body} }} }} }}',
            "variables": {"to": NEW_WINDOW},
        },
        "(c) team page": {
            "query": f'{{ team(key: "{team}", asOf: "{END}") {{ key name ancestors {{ key name }} '
            f"children(first: 20) {{ totalCount edges {{ node {{ key name kpis({WINDOW}) "
            f"{{ {' '.join(f'{k} {{ value sampleSize }}' for k in KPIS.split())} }} }} }} }} "
            f"trend(kpi: DEPLOYMENTS_PER_WEEK, {WINDOW}) {{ from to value }} }} }}"
        },
        "(d) root status of every initiative": {
            "query": f'{{ initiatives {{ key status(team: "{root}", on: "{END}") '
            "{ value sampleSize startValue progress pacePerWeek forecast status } } }"
        },
    }


def serve(bundle: str, port: str, access: str) -> None:
    """The server process: an engine over the bundle, the app under uvicorn (open, or closed
    over the tokens in the bundle's store)."""
    import uvicorn

    from api.app import create_app
    from api.core.limits import Limits
    from api.settings import Settings
    from graph.engine import Engine
    from store.frames import read_bundle

    settings = Settings(
        open=access == "open",
        database_url=f"sqlite:///{_store(bundle)}",
        # the budget is still spent on every request, but never runs out at full speed
        limits=Limits(cost_per_minute=10**12),
    )
    engine = Engine(read_bundle(Path(bundle)))
    # the server's privacy floor first: a change of floor drops the views built before it
    engine.set_privacy_floor(settings.privacy_floor)
    engine.view(END)  # the structure date the queries ask for, built before serving
    uvicorn.run(
        create_app(settings, engine=engine),
        host="127.0.0.1",
        port=int(port),
        log_level="warning",
        access_log=False,
    )


def _store(bundle: str | Path) -> Path:
    return Path(bundle) / "store.db"


async def _tokens(bundle: Path, scope: str) -> dict[str, str]:
    """An admin token and a viewer token scoped to ``scope``, in the bundle's store."""
    from store.database import create_engine
    from store.tokens import Role, create_token

    store = create_engine(f"sqlite:///{_store(bundle)}")
    expires = datetime.now(UTC) + timedelta(days=1)
    admin, _ = await create_token(
        store, name="bench", role=Role.ADMIN, scope=None, expires_at=expires
    )
    scoped, _ = await create_token(
        store, name="bench", role=Role.VIEWER, scope=scope, expires_at=expires
    )
    await store.dispose()
    return {"admin": admin, "scoped": scoped}


def _bodies(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``body`` again and again; with a window end no request used before each time when its
    ``to`` variable is :data:`NEW_WINDOW`."""
    ends = itertools.count(1)
    while True:
        if body.get("variables", {}).get("to") != NEW_WINDOW:
            yield body
        else:
            yield {**body, "variables": {"to": str(END + timedelta(days=next(ends)))}}


async def _ask(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> float:
    """One request's seconds, from sending it to its whole answer (which must be data)."""
    began = time.perf_counter()
    response = await http.post(url, json=body)
    took = time.perf_counter() - began
    payload = response.json()
    if response.status_code != 200 or "errors" in payload:
        raise RuntimeError(f"bad answer from {url}: {response.status_code} {payload}")
    return took


def _summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    latencies.sort()
    return {
        "p50": 1000 * latencies[len(latencies) // 2],
        "p95": 1000 * latencies[int(len(latencies) * 0.95)],
        "rps": len(latencies) / elapsed,
        "n": len(latencies),
    }


async def _load(
    url: str, body: dict[str, Any], clients: int, seconds: float, headers: dict[str, str]
) -> dict[str, float]:
    """``clients`` clients asking one server for ``seconds``, each sending its next request
    as soon as its last one is answered."""
    latencies: list[float] = []
    bodies = _bodies(body)

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            while time.perf_counter() < stop:
                latencies.append(await _ask(http, url, next(bodies)))

    async with httpx.AsyncClient(timeout=60, headers=headers) as http:
        await _ask(http, url, next(bodies))  # warm up (a first structure date is built)
    began = time.perf_counter()
    stop = began + seconds
    await asyncio.gather(*(client() for _ in range(clients)))
    return _summary(latencies, time.perf_counter() - began)


async def _interleaved(
    servers: dict[str, tuple[str, dict[str, str]]], body: dict[str, Any], seconds: float
) -> dict[str, dict[str, float]]:
    """One client asking every server in turn (a new random order each round) for ``seconds``
    in all; each server's requests/s is over the time it spent answering."""
    order = list(servers)
    async with AsyncExitStack() as stack:
        https = {
            name: await stack.enter_async_context(httpx.AsyncClient(timeout=60, headers=headers))
            for name, (_, headers) in servers.items()
        }
        bodies = {name: _bodies(body) for name in servers}
        for name, (url, _) in servers.items():
            await _ask(https[name], url, next(bodies[name]))  # warm up
        latencies: dict[str, list[float]] = {name: [] for name in servers}
        stop = time.perf_counter() + seconds
        shuffle = random.Random(1).shuffle
        while time.perf_counter() < stop:
            shuffle(order)
            for name in order:
                url = servers[name][0]
                latencies[name].append(await _ask(https[name], url, next(bodies[name])))
    return {name: _summary(found, sum(found)) for name, found in latencies.items()}


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--access", default="open", help="open, admin, scoped (comma-separated)")
    parser.add_argument("--only", default="", help="only the queries whose name holds this")
    parser.add_argument("--clients", default="1,8", help="concurrent clients (comma-separated)")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="a checkout of an earlier commit to serve beside (open); may be repeated",
    )
    options = parser.parse_args()
    from graph.engine import Engine
    from store.frames import read_bundle
    from synthetic import generate_bundle

    rows = [
        "| query | server | clients | p50 ms | p95 ms | requests/s | requests | p50 ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="orgraph-bench-api-") as work, ExitStack() as stack:
        bundle = Path(work) / "bundle"
        generate_bundle(bundle, teams=options.teams, seed=1, end=END)
        tree = Engine(read_bundle(bundle)).view(END).tree  # to pick the subjects
        root = max(tree.roots, key=lambda r: len(tree.subtree(r)))
        team = max(
            (t for t in tree.team_ids if tree.depth(t) == 2 and tree.is_active(t)),
            key=lambda t: len(tree.subtree(t)),
        )
        tokens = asyncio.run(_tokens(bundle, team))
        servers: dict[str, tuple[str, dict[str, str]]] = {}
        known: frozenset[str] | None = None
        for checkout in options.baseline:
            base = stack.enter_context(_server(bundle, "open", checkout=checkout))
            servers[f"{_commit(checkout)} (open)"] = (f"{base}/graphql", {})
            # a KPI added since is not asked
            fields = _report_fields(f"{base}/graphql")
            known = fields if known is None else known & fields
        for access in options.access.split(","):
            base = stack.enter_context(_server(bundle, access))
            headers = {} if access == "open" else {"authorization": f"Bearer {tokens[access]}"}
            servers[access] = (f"{base}/graphql", headers)
        for name, body in queries(root, team, known).items():
            if options.only not in name:
                continue
            # the root's figures for a scope: the same as admin's, less its children
            asked = {k: v for k, v in servers.items() if k != "scoped" or root not in body["query"]}
            for clients in map(int, options.clients.split(",")):
                if clients == 1 and len(asked) > 1:
                    found = asyncio.run(_interleaved(asked, body, options.seconds * len(asked)))
                else:
                    found = {
                        k: asyncio.run(_load(url, body, clients, options.seconds, headers))
                        for k, (url, headers) in asked.items()
                    }
                first = next(iter(found.values()))["p50"]
                for server, figures in found.items():
                    rows.append(
                        f"| {name} | {server} | {clients} | {figures['p50']:.2f} | "
                        f"{figures['p95']:.2f} | {figures['rps']:,.0f} | {figures['n']:,} | "
                        f"{figures['p50'] / first:.3f} |"
                    )
                    print(rows[-1], flush=True)
    print(f"\n{options.teams:,} teams; root {root}, team page of {team}\n")
    print("\n".join(rows))


def _commit(checkout: Path) -> str:
    """The short commit a checkout is at."""
    found = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def _report_fields(url: str) -> frozenset[str]:
    """The fields of the ``KpiReport`` type of the server at ``url``."""
    asked = {"query": '{ __type(name: "KpiReport") { fields { name } } }'}
    fields = httpx.post(url, json=asked).json()["data"]["__type"]["fields"]
    return frozenset(field["name"] for field in fields)


#: how a checkout of an earlier commit serves: its own ``bench.api.serve`` (before tokens it
#: took no access argument)
BASELINE_SERVE = """
import inspect, sys
from bench.api import serve
extra = ["open"] if len(inspect.signature(serve).parameters) > 2 else []
serve(*sys.argv[1:3], *extra)
"""


@contextmanager
def _server(bundle: Path, access: str, checkout: Path | None = None) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if checkout is None:
        command = [sys.executable, "-m", "bench.api", "--serve", str(bundle), str(port), access]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    else:
        command = [sys.executable, "-c", BASELINE_SERVE, str(bundle), str(port)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(checkout.absolute())}
    server = subprocess.Popen(command, env=env, cwd=checkout)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise RuntimeError(f"the {access} server ({checkout or 'this checkout'}) exited")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
