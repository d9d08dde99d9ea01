"""Debian's chromium, headless, driven by Playwright for Python: what the browser tests (and
bench/dashboard.py) share. No internet here: Playwright's own browser download does not work,
so the tests drive the system's chromium; without it they skip with a loud reason, and under
CI=true they fail instead."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

#: The xdist group of the tests that drive a browser and of the fuzz run, which times every
#: refusal (under a second): `make test` runs a group's tests one after another on one worker,
#: so that chromium's processes never compete with those timings on a 2-core machine.
LIVE_GROUP = pytest.mark.xdist_group("live")

CHROMIUM = os.environ.get("ORGRAPH_TEST_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
#: axe-core (npm, tests/a11y/package-lock.json; `make install-test` installs it)
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: the rules checked: WCAG 2.0 and 2.1, levels A and AA
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: headless, and none of Chromium's own calls home (refused here, and slow to fail)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if Path(CHROMIUM).exists() or shutil.which("chromium") is not None:
        return None
    return (
        f"chromium is NOT installed ({CHROMIUM}): the browser tests did not run "
        "(apt-get install chromium, or make install-test)"
    )


def _skip_loudly(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def launch(playwright: Any) -> Any:
    """A headless chromium; skips (fails under CI=true) without one."""
    missing = chromium_missing()
    if missing is not None:
        _skip_loudly(missing)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def accessibility_problems(page: Any) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per
    rule broken (e.g. a colour contrast, a control without a name). Skips (fails under CI=true)
    without axe-core. It is evaluated through the DevTools protocol, which the page's policy
    does not govern: the page itself still loads nothing but its own files."""
    if not AXE.is_file():
        _skip_loudly(f"axe-core is NOT installed ({AXE}): make install-test")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(r => ({
            passes: r.passes.length,
            violations: r.violations.map(v => `${v.id} (${v.impact}): ${v.help}; `
                + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")),
        }))""",
        WCAG,
    )
    assert found["passes"] > 0, "axe checked nothing"
    problems: list[str] = found["violations"]
    return problems


@dataclass
class Watched:
    """What a page asked for and what it complained of (errors and warnings on the console,
    uncaught exceptions: a Content-Security-Policy refusal is a console error)."""

    requests: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [request.url for request in self.requests]

    def outside(self, server: str) -> list[str]:
        """The requests to anything but ``server``."""
        return [url for url in self.urls if not url.startswith((f"{server}/", "data:"))]


def watch(page: Any, *, expected: tuple[str, ...] = ()) -> Watched:
    """Records ``page``'s requests and problems; console messages that contain one of
    ``expected`` (e.g. the status of a refusal a test provokes) are not problems."""
    watched = Watched()
    page.on("request", lambda request: watched.requests.append(request))
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))

    def console(message: Any) -> None:
        if message.type in ("error", "warning") and not any(e in message.text for e in expected):
            watched.problems.append(f"console {message.type}: {message.text}")

    page.on("console", console)
    return watched


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """A screenshot kept in test-artifacts/ (CI keeps the folder)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path
