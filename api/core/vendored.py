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
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
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

    @property
    def versioned(self) -> frozenset[str]:
        """The pinned files' names (each carries its version)."""
        return frozenset(asset.name for asset in self.assets)

    def mount(self, name: str, headers: Mapping[str, str]) -> Mount:
        """The route serving the folder with ``headers``; a pinned file (its name carries its
        version) is kept by the browser for a year, any other file is revalidated."""
        files = Files(directory=self.directory, headers=headers, immutable=self.versioned)
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


#: Types of the files orgraph serves, with their charset (the rest as ``mimetypes`` guesses).
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


class Preloaded:
    """The files of a folder read once, when the app is made, and served from memory with a
    page's headers: the files named in ``immutable`` (or every file, with ``immutable=True``)
    with a year-long cache, the others revalidated. For small folders whose files do not change
    while the server runs (a page's scripts under a path that carries their hash): no disk
    access or thread per request."""

    def __init__(
        self, directory: Path, headers: Mapping[str, str], *, immutable: frozenset[str] | bool
    ) -> None:
        self.files = {
            path.relative_to(directory).as_posix(): (
                path.read_bytes(),
                _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain",
            )
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }
        self.headers = dict(headers)
        self.immutable = immutable

    def route(self, prefix: str, name: str) -> Route:
        """``GET prefix/<file>``; anything else under it is a 404 (or a 405) with its code."""
        return Route(f"{prefix}/{{path:path}}", self.serve, methods=["GET", "HEAD"], name=name)

    async def serve(self, request: Request) -> Response:
        path = request.path_params["path"]
        found = self.files.get(path)
        if found is None:
            raise HTTPException(404)
        data, media_type = found
        forever = self.immutable is True or (
            isinstance(self.immutable, frozenset) and path in self.immutable
        )
        headers = {**self.headers, "cache-control": IMMUTABLE if forever else "no-cache"}
        return Response(data, headers=headers, media_type=media_type)
