"""The audit log (docs/security.md): one line per GraphQL request on the ``orgraph.audit``
logger, in logfmt, saying who asked (the principal: a token's id, a user, or an open client's
address; never a secret), with what scope and role, which operation, what it cost and how it
ended. A refused token is logged by its id alone, when the header holds one."""

from __future__ import annotations

import logging
import time

from starlette.requests import Request

from api.core.context import Context
from store.tokens import parse

log = logging.getLogger("orgraph.audit")


def audit(
    request: Request, context: Context | None, response: int, started: float, outcome: str
) -> None:
    if not log.isEnabledFor(logging.INFO):  # nowhere to write it: nothing to build
        return
    if context is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        parsed = parse(token.strip()) if scheme.lower() == "bearer" else None
        who, role, scope = f"token:{parsed[0]}" if parsed else "-", "-", "-"
    else:
        principal = context.principal
        who, role, scope = principal.id, principal.role.value, principal.scope or "*"
    fields = {
        "request_id": getattr(request.state, "request_id", "-"),
        "principal": who,
        "role": role,
        "scope": scope,
        "operation": (context.operation if context else None) or "-",
        "cost": context.cost if context else 0,
        "status": response,
        "outcome": outcome,
        "ms": round(1000 * (time.perf_counter() - started), 2),
    }
    log.info(" ".join(f"{k}={_quoted(v)}" for k, v in fields.items()), extra={"audit": fields})


def _quoted(value: object) -> str:
    text = str(value)
    if not text or any(c in text for c in ' ="'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text
