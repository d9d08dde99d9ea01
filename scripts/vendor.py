"""Fetch the vendored browser files again from the npm registry and check them against their pins.

    .venv/bin/python scripts/vendor.py                     # check every set: fetch, compare
    .venv/bin/python scripts/vendor.py --write             # also (re)write the files
    .venv/bin/python scripts/vendor.py dashboard [--write] # one set (graphiql, dashboard)

``npm pack`` downloads each pinned package (the ``ASSETS`` of ``api.core.graphiql`` and
``api.dashboard.assets``, see ``api/core/vendored.py``); every file must hash to its pinned
SHA-384, or the script stops and writes nothing. Each package's licence file is kept in the
set's ``licences/`` folder. To move to a new version, change the version, the file name and the
hash in ``ASSETS`` (the hash from ``openssl dgst -sha384 -binary FILE | base64``, or the
``integrity`` the package's CDN page shows), run with ``--write``, and try the page in its
browser test (tests/api/test_browser.py, tests/api/test_dashboard.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.core.graphiql import VENDORED as GRAPHIQL
from api.core.vendored import Vendored, sha384
from api.dashboard.assets import VENDORED as DASHBOARD

ROOT = Path(__file__).resolve().parents[1]
SETS = {"graphiql": GRAPHIQL, "dashboard": DASHBOARD}


def fetch(spec: str, into: Path) -> tarfile.TarFile:
    done = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(into), "--loglevel=error"],
        capture_output=True,
        text=True,
        check=True,
    )
    return tarfile.open(into / done.stdout.strip().splitlines()[-1])


def expected(vendored: Vendored, work: Path) -> dict[Path, bytes] | str:
    """Every file of the set as npm has it, or what does not match its pin."""
    files: dict[Path, bytes] = {}
    licences: dict[str, bytes] = {}
    packages: dict[str, tarfile.TarFile] = {}
    for asset in vendored.assets:
        spec = f"{asset.package}@{asset.version}"
        if spec not in packages:
            packages[spec] = fetch(spec, work)
        package = packages[spec]
        member = package.extractfile(f"package/{asset.source}")
        assert member is not None, f"{spec} has no {asset.source}"
        data = member.read()
        if sha384(data) != asset.sha384:
            return f"{spec} {asset.source}: sha384 {sha384(data)}, pinned {asset.sha384}"
        files[vendored.directory / asset.name] = data
        if "package/LICENSE" in package.getnames():
            licence = package.extractfile("package/LICENSE")
            assert licence is not None
            licences[asset.licence] = licence.read()
    for asset in vendored.assets:
        if asset.licence not in licences:
            source, note = vendored.borrowed[asset.package]
            licences[asset.licence] = note.encode() + licences[f"{source}.txt"]
    for name, text in licences.items():
        files[vendored.directory / "licences" / name] = text
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sets", nargs="*", metavar="SET", help=f"one of {sorted(SETS)} (default: all)"
    )
    parser.add_argument("--write", action="store_true", help="write the files (default: check)")
    options = parser.parse_args()
    unknown = set(options.sets) - set(SETS)
    if unknown:
        parser.error(f"no such set: {', '.join(sorted(unknown))} (sets: {', '.join(SETS)})")
    files: dict[Path, bytes] = {}
    with tempfile.TemporaryDirectory() as work:
        for name in options.sets or SETS:
            found = expected(SETS[name], Path(work))
            if isinstance(found, str):
                print(found)
                return 1
            files.update(found)
    changed = [
        path for path, data in files.items() if not path.exists() or path.read_bytes() != data
    ]
    for path in changed:
        print(f"{'writing' if options.write else 'differs'}: {path.relative_to(ROOT)}")
        if options.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[path])
    print(f"{len(files)} files checked, {len(changed)} {'written' if options.write else 'differ'}")
    return 1 if changed and not options.write else 0


if __name__ == "__main__":
    raise SystemExit(main())
