"""Fetch GraphiQL's assets again from the npm registry and check them against their pins.

    .venv/bin/python scripts/vendor_graphiql.py          # check: fetch, compare, change nothing
    .venv/bin/python scripts/vendor_graphiql.py --write  # also (re)write api/core/static/graphiql/

``npm pack`` downloads each pinned package (``api.core.graphiql.ASSETS``); every file must hash to
its pinned SHA-384, or the script stops and writes nothing. To move to a new version, change
the version and the hash in ``ASSETS`` (the hash from ``openssl dgst -sha384 -binary FILE |
base64``, or the ``integrity`` the package's CDN page shows), run with ``--write``, and try the
page in the browser test (tests/api/test_browser.py).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.core.graphiql import ASSETS, DIRECTORY

#: A package without a licence file of its own takes its repository's (with this note).
BORROWED = {
    "@graphiql/plugin-explorer": (
        "graphiql",
        "@graphiql/plugin-explorer 1.0.2 ships no licence file of its own; its package.json says "
        '"license": "MIT" and\nit is published from the graphiql repository '
        "(https://github.com/graphql/graphiql, packages/graphiql-plugin-explorer),\nwhose "
        "licence follows.\n\n",
    )
}


def sha384(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


def fetch(spec: str, into: Path) -> tarfile.TarFile:
    done = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(into), "--loglevel=error"],
        capture_output=True,
        text=True,
        check=True,
    )
    return tarfile.open(into / done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the files (default: check)")
    write = parser.parse_args().write
    files: dict[Path, bytes] = {}
    licences: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as work:
        packages: dict[str, tarfile.TarFile] = {}
        for asset in ASSETS:
            spec = f"{asset.package}@{asset.version}"
            if spec not in packages:
                packages[spec] = fetch(spec, Path(work))
            package = packages[spec]
            member = package.extractfile(f"package/{asset.source}")
            assert member is not None, f"{spec} has no {asset.source}"
            data = member.read()
            if sha384(data) != asset.sha384:
                print(f"{spec} {asset.source}: sha384 {sha384(data)}, pinned {asset.sha384}")
                return 1
            files[DIRECTORY / asset.name] = data
            names = package.getnames()
            if "package/LICENSE" in names:
                licence = package.extractfile("package/LICENSE")
                assert licence is not None
                licences[asset.licence] = licence.read()
        for asset in ASSETS:
            if asset.licence not in licences:
                source, note = BORROWED[asset.package]
                licences[asset.licence] = note.encode() + licences[f"{source}.txt"]
    for name, text in licences.items():
        files[DIRECTORY / "licences" / name] = text
    changed = [
        path for path, data in files.items() if not path.exists() or path.read_bytes() != data
    ]
    for path in changed:
        print(f"{'writing' if write else 'differs'}: {path.relative_to(DIRECTORY.parents[3])}")
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[path])
    print(f"{len(files)} files checked, {len(changed)} {'written' if write else 'differ'}")
    return 1 if changed and not write else 0


if __name__ == "__main__":
    raise SystemExit(main())
