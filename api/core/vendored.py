"""Third-party browser files that orgraph serves itself (GraphiQL's, the dashboard's chart
library): pinned to a package, a version and a SHA-384, byte for byte the npm package's own
file, with the package's licence kept beside them.

Our users' networks often have no internet, so no page of orgraph loads anything from another
host. Each set of files is a :class:`Vendored`: where its files live and under which URL prefix
they are served, with the headers of the page that uses them. ``scripts/vendor.py`` fetches
every set again with ``npm pack`` and checks (or rewrites) the committed files; a test checks
the committed files against the pins.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: What a file whose name never changes may be kept for by the browser (a year).
IMMUTABLE = "public, max-age=31536000, immutable"


def sha384(data: bytes) -> str:
    """The base64 SHA-384 of ``data``, as subresource integrity and npm's CDNs write it."""
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


@dataclass(frozen=True)
class Asset:
    """One vendored file: ``package@version``'s file at ``source``, served as ``name``."""

    package: str
    version: str
    source: str
    name: str
    sha384: str
    licence: str  # the package's licence file, in ``licences/``

    @property
    def integrity(self) -> str:
        return f"sha384-{self.sha384}"


@dataclass(frozen=True)
class Vendored:
    """A set of vendored files: their folder, the URL prefix they are served under, and a note
    for each package that ships no licence file (package -> (the package whose licence file
    stands in for it, a note saying why), in ``licences/`` as ``<package>.txt``)."""

    directory: Path
    prefix: str
    assets: tuple[Asset, ...]
    borrowed: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def url(self, asset: Asset) -> str:
        return f"{self.prefix}/{asset.name}"

    def tag(self, asset: Asset) -> str:
        """The ``<script>`` or ``<link>`` that loads ``asset``, with its integrity (a changed
        file is refused by the browser)."""
        if asset.name.endswith(".css"):
            return f'<link rel="stylesheet" href="{self.url(asset)}" integrity="{asset.integrity}">'
        return f'<script src="{self.url(asset)}" integrity="{asset.integrity}"></script>'

    def mount(self, name: str, headers: Mapping[str, str]) -> Mount:
        """The route serving the folder with ``headers``; a pinned file (its name carries its
        version) is kept by the browser for a year, any other file is revalidated."""
        versioned = frozenset(asset.name for asset in self.assets)
        files = Files(directory=self.directory, headers=headers, immutable=versioned)
        return Mount(self.prefix, app=files, name=name)


class Files(StaticFiles):
    """Static files with a page's headers; the files named in ``immutable`` (or every file,
    with ``immutable=True``) with a year-long cache, the others revalidated by ETag."""

    def __init__(
        self,
        *,
        directory: Path,
        headers: Mapping[str, str],
        immutable: frozenset[str] | bool,
    ) -> None:
        super().__init__(directory=directory)
        self.headers = dict(headers)
        self.immutable = immutable

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(self.headers)
        forever = self.immutable is True or (
            isinstance(self.immutable, frozenset) and path in self.immutable
        )
        if forever and response.status_code == 200:
            response.headers["cache-control"] = IMMUTABLE
        return response
