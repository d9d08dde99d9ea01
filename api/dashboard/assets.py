"""The dashboard's files: the vendored chart library and orgraph's own scripts and styles.

- uPlot (MIT, https://github.com/leeoniya/uPlot) is the npm package's own build, pinned like
  GraphiQL's files (``api/core/vendored.py``; ``make vendor`` checks it against npm).
- Our own files (``static/app/``: ES modules, no build step) are served under a path that
  carries a hash of their content (:func:`build_id`), so the browser may keep them for a year
  and still gets the new ones after an upgrade: the page names the current path, and a module's
  relative imports stay inside it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from api.core.vendored import Asset, Vendored

STATIC = Path(__file__).parent / "static"
#: orgraph's own files: the page's modules, styles and icon
APP = STATIC / "app"
PREFIX = "/static/dashboard"

ASSETS = (
    Asset(
        "uplot", "1.6.32", "dist/uPlot.min.css", "uPlot-1.6.32.min.css",
        "IfV0B7MIOYuO95kO9G5ySKPz/85zqFNOAs8iy4tkK5zd9izhJAB8b7lHrwYqqmYE", "uplot.txt",
    ),
    Asset(
        "uplot", "1.6.32", "dist/uPlot.iife.min.js", "uPlot-1.6.32.iife.min.js",
        "Gx3t0zdBAuQOuvvmaLZj7HKEiSgWTAs+VdtNY7wt19QDPTDQjFIwAuXDj0zeN00c", "uplot.txt",
    ),
)  # fmt: skip

VENDORED = Vendored(STATIC / "vendor", f"{PREFIX}/vendor", ASSETS)


def own_files() -> list[Path]:
    """Our files, in a stable order."""
    return sorted(path for path in APP.rglob("*") if path.is_file())


@cache
def build_id() -> str:
    """A short hash of every own file's path and bytes: their URL prefix changes with them."""
    digest = hashlib.sha256()
    for path in own_files():
        digest.update(path.relative_to(APP).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def app_prefix() -> str:
    """Where our own files are served: ``/static/dashboard/<build id>``."""
    return f"{PREFIX}/{build_id()}"


def modules() -> list[str]:
    """The URLs of our ES modules, for the page to preload them all at once."""
    return [
        f"{app_prefix()}/{path.relative_to(APP).as_posix()}"
        for path in own_files()
        if path.suffix == ".js"
    ]
