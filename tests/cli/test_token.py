"""``orgraph token`` as an admin runs it, against a real store and a real server in its own
process: a token created on the command line opens the API for its scope, ``token list`` shows
it, and ``token revoke`` shuts it out from the server's very next request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.builders import base_bundle, write_bundle
from tests.cli.test_cli import orgraph
from tests.conftest import Database

pytestmark = pytest.mark.slow


@contextmanager
def serving(
    database: Database, *flags: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from cli import main; main()", "serve"]
    command += ["--db", database.url, "--port", str(port), *flags]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "ORGRAPH_OPEN": "", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("the server did not get ready")
        yield base, process
    finally:
        process.terminate()
        process.communicate(timeout=20)


def _ask(base: str, token: str | None, team: str) -> httpx.Response:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    query = f'{{ team(key: "{team}", asOf: "2025-07-01") {{ key name }} }}'
    return httpx.post(f"{base}/graphql", json={"query": query}, headers=headers, timeout=30)


def test_create_use_list_and_revoke_a_token(database: Database, tmp_path: Path) -> None:
    # given a loaded store (teams org > a > c, org > b)
    bundle = write_bundle(tmp_path / "bundle", base_bundle())
    assert orgraph("load", str(bundle), "--db", database.url).returncode == 0
    # a scope that is no team is refused, naming it
    refused = orgraph("token", "create", "--scope", "nope", "--db", database.url)
    assert refused.returncode == 2
    assert "--scope 'nope': no such team" in refused.stderr
    # when an admin creates a token scoped to team a
    created = orgraph(
        "token", "create", "--scope", "a", "--name", "team a's dashboard", "--db", database.url
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    token_id = token.split("_")[1]
    assert f"created token {token_id} (viewer of a" in created.stdout
    # then the server (in its own process) answers it for its scope and hides the rest
    with serving(database) as (base, _):
        assert _ask(base, None, "a").status_code == 401
        inside = _ask(base, token, "a")
        assert inside.status_code == 200
        assert inside.json()["data"]["team"]["key"] == "a"
        assert _ask(base, token, "b").json()["data"]["team"] is None
        # and `token list` shows it, not its secret
        listed = orgraph("token", "list", "--db", database.url)
        assert token_id in listed.stdout
        assert "team a's dashboard" in listed.stdout
        assert "active" in listed.stdout
        assert token.split("_", 2)[2] not in listed.stdout
        # and once revoked, the server refuses it from the next request on
        revoked = orgraph("token", "revoke", token_id, "--db", database.url)
        assert revoked.returncode == 0, revoked.stderr
        assert _ask(base, token, "a").status_code == 401
    assert "revoked" in orgraph("token", "list", "--db", database.url).stdout
    assert orgraph("token", "revoke", "nope", "--db", database.url).returncode == 1


def test_serve_says_on_start_up_whether_it_is_open(database: Database, tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "bundle", base_bundle())
    assert orgraph("load", str(bundle), "--db", database.url).returncode == 0
    for flags, env, says in (
        (("--open",), {}, "OPEN: no authentication"),
        ((), {"ORGRAPH_OPEN": "1"}, "OPEN: no authentication"),
        ((), {}, "clients need a token"),
    ):
        with serving(database, *flags, env=env) as (base, process):
            answer = _ask(base, None, "a")
            assert answer.status_code == (200 if flags or env else 401)
            process.terminate()
            output, _ = process.communicate(timeout=20)
        assert says in output, output
