"""The GraphQL documents of the dashboard's ``queries.js``, read as text (the file is plain
template strings; a ``${NAME}`` in one is the fragment of that name)."""

from __future__ import annotations

import re

from api.dashboard.assets import APP

QUERIES_JS = APP / "queries.js"
_CONSTANT = re.compile(r"^(export )?const (\w+) = `(.*?)`;", re.S | re.M)


def dashboard_queries() -> dict[str, str]:
    """Each exported document by its name, fragments spliced in."""
    text = QUERIES_JS.read_text()
    found = {name: (exported, body) for exported, name, body in _CONSTANT.findall(text)}
    return {
        name: re.sub(r"\$\{(\w+)\}", lambda m: found[m.group(1)][1], body)
        for name, (exported, body) in found.items()
        if exported
    }
