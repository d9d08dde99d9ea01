"""API benchmark: the GraphQL server under uvicorn, queried over real HTTP at 1 and 8
concurrent clients, for (a) ``{ __typename }`` (the stack's floor), (b) the root team's full
KPI report, repeated (the view's caches answer) and with a window never asked before (nothing
computed is reused), and (c) a team page (the team, its ancestors, its first 20 children with
6 KPIs each and a 52-week trend), and (d) the root's status of every initiative (value,
progress, pace, forecast, state).

    .venv/bin/python -m bench.api --teams 20000 [--seconds 20] [--access open,admin,scoped]
        [--only "team page"] [--clients 1,8]

The server runs in a process of its own (one uvicorn worker), its engine built from a generated
bundle's files (the store read is measured by bench/rollup.py). ``--access`` runs each query
against a server of each kind in turn: ``open`` (no token), ``admin`` (closed, an admin token:
every request looks its token up in the store) and ``scoped`` (closed, a viewer token scoped to
the team of (c): the scope's view and its masked comparisons too). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
#: every KPI of the catalogue, with its comparisons
FULL_REPORT = " ".join(f"{d.field} {METRIC}" for d in CATALOGUE.values())
WINDOW = f'from: "{START}", to: "{END}"'
REPORT_BODY = (
    f"{FULL_REPORT} deploymentTier unresolvedIncidents unmeasuredServices "
    "headcountByRole { role count }"
)
#: a variable's value that ``_load`` replaces with a window end no request used before
NEW_WINDOW = "new window"


def queries(root: str, team: str) -> dict[str, dict[str, Any]]:
    return {
        "(a) { __typename }": {"query": "{ __typename }"},
        "(b) root KPI report": {
            "query": f'{{ team(key: "{root}", asOf: "{END}") {{ kpis({WINDOW}) {{ {REPORT_BODY} }} }} }}'
        },
        # each request a window never asked before: nothing computed is reused
        "(b) root KPI report, a new window each time": {
            "query": f'query($to: Date!) {{ team(key: "{root}", asOf: "{END}") '
            f'{{ kpis(from: "{START}", to: $to) {{ {REPORT_BODY} }} }} }}',
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

    engine = Engine(read_bundle(Path(bundle)))
    engine.view(END)  # the structure date the queries ask for, built before serving
    settings = Settings(
        open=access == "open",
        database_url=f"sqlite:///{_store(bundle)}",
        # the budget is still spent on every request, but never runs out at full speed
        limits=Limits(cost_per_minute=10**12),
    )
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


async def _load(
    url: str, body: dict[str, Any], clients: int, seconds: float, headers: dict[str, str]
) -> dict[str, float]:
    latencies: list[float] = []
    ends = itertools.count(1)

    def next_body() -> dict[str, Any]:
        if body.get("variables", {}).get("to") != NEW_WINDOW:
            return body
        return {**body, "variables": {"to": str(END + timedelta(days=next(ends)))}}

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            while time.perf_counter() < stop:
                request = next_body()
                began = time.perf_counter()
                response = await http.post(url, json=request)
                latencies.append(time.perf_counter() - began)
                payload = response.json()
                if response.status_code != 200 or "errors" in payload:
                    raise RuntimeError(f"bad answer: {response.status_code} {payload}")

    async with httpx.AsyncClient(timeout=60, headers=headers) as http:
        await http.post(url, json=next_body())  # warm up (a first structure date is built)
    began = time.perf_counter()
    stop = began + seconds
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "p50": 1000 * latencies[len(latencies) // 2],
        "p95": 1000 * latencies[int(len(latencies) * 0.95)],
        "rps": len(latencies) / elapsed,
        "n": len(latencies),
    }


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
    options = parser.parse_args()
    from graph.engine import Engine
    from store.frames import read_bundle
    from synthetic import generate_bundle

    accesses = options.access.split(",")
    rows = [
        "| query | access | clients | p50 ms | p95 ms | requests/s | requests |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="orgraph-bench-api-") as work:
        bundle = Path(work) / "bundle"
        generate_bundle(bundle, teams=options.teams, seed=1, end=END)
        tree = Engine(read_bundle(bundle)).view(END).tree  # to pick the subjects
        root = max(tree.roots, key=lambda r: len(tree.subtree(r)))
        team = max(
            (t for t in tree.team_ids if tree.depth(t) == 2 and tree.is_active(t)),
            key=lambda t: len(tree.subtree(t)),
        )
        tokens = asyncio.run(_tokens(bundle, team))
        chosen = {n: b for n, b in queries(root, team).items() if options.only in n}
        for access in accesses:
            headers = {} if access == "open" else {"authorization": f"Bearer {tokens[access]}"}
            with _server(bundle, access) as base:
                for name, body in chosen.items():
                    if access == "scoped" and root in body["query"]:
                        continue  # the root's figures: the same as admin's, less its children
                    for clients in map(int, options.clients.split(",")):
                        found = asyncio.run(
                            _load(f"{base}/graphql", body, clients, options.seconds, headers)
                        )
                        rows.append(
                            f"| {name} | {access} | {clients} | {found['p50']:.2f} | "
                            f"{found['p95']:.2f} | {found['rps']:,.0f} | {found['n']:,} |"
                        )
                        print(rows[-1], flush=True)
    print(f"\n{options.teams:,} teams; root {root}, team page of {team}\n")
    print("\n".join(rows))


@contextmanager
def _server(bundle: Path, access: str) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.api", "--serve", str(bundle), str(port), access],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
