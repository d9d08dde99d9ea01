"""Word lists and the naming of synthetic teams, people and services.

Names only have to look plausible in a demo; ids carry identity. Team and service names are
still made unique (a repeated name gets a number) so that a search by name finds one thing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

ORG_NAMES = (
    "Retail",
    "Devices",
    "Cloud Services",
    "Advertising",
    "Media",
    "Logistics",
    "Finance Technology",
    "Marketplace",
)

AREAS = (
    "Payments",
    "Search",
    "Identity",
    "Checkout",
    "Catalog",
    "Pricing",
    "Fulfillment",
    "Messaging",
    "Analytics",
    "Billing",
    "Recommendations",
    "Inventory",
    "Shipping",
    "Returns",
    "Fraud",
    "Observability",
    "Storage",
    "Networking",
    "Compute",
    "Mobile",
    "Web",
    "Growth",
    "Ledger",
    "Tax",
    "Loyalty",
    "Reviews",
    "Notifications",
    "Onboarding",
    "Support",
    "Security",
)

TEAM_WORDS = (
    "Core",
    "Experience",
    "Data",
    "Foundations",
    "Integrations",
    "Insights",
    "Reliability",
    "Tooling",
    "Edge",
    "Services",
    "Automation",
    "Clients",
    "Infrastructure",
    "Quality",
    "Runtime",
)

COMPONENTS = (
    "api",
    "worker",
    "web",
    "gateway",
    "indexer",
    "scheduler",
    "store",
    "sync",
    "notifier",
    "router",
    "cache",
    "pipeline",
    "console",
    "agent",
    "exporter",
    "ingest",
    "service",
    "batch",
    "stream",
    "frontend",
)

# A few non-ASCII names keep the UTF-8 path of every loader honest.
FIRST_NAMES = (
    "Ana", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kavya", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara",
    "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoë", "Aiko", "Bruno", "Camila", "Deepak",
    "Elif", "Felix", "Gabriel", "Hana", "Ivan", "Julia", "Kofi", "Lucía", "Mateo", "Nadia",
    "Omar", "Priya", "Rafael", "Sara", "Tomás", "Ulla", "Vera", "Will", "Yusuf", "Zainab",
)  # fmt: skip

LAST_NAMES = (
    "Kowalski", "Nguyen", "Schmidt", "García", "Okafor", "Tanaka", "Rossi", "Johansson",
    "Patel", "Müller", "Silva", "Kim", "Dubois", "Novak", "O'Brien", "Haddad", "Larsen",
    "Ivanova", "Mendes", "Chen", "Singh", "Bauer", "Moreau", "Costa", "Yilmaz", "Andersen",
    "Fischer", "Lopez", "Sato", "Wójcik", "Murphy", "Ahmed", "Virtanen", "Horvat", "Brown",
    "Smith", "Zhang", "Ortiz", "Petrov", "Dahl",
)  # fmt: skip


def unique(names: Iterable[str], *, sep: str = " ") -> list[str]:
    """The names with repeats numbered (``Payments Core``, ``Payments Core 2``, ...)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}{sep}{n}")
    return out


def pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> list[str]:
    """``n`` words drawn uniformly (with repeats) from ``words``."""
    table = np.array(words, dtype=object)
    picked: list[str] = table[rng.integers(0, len(words), n)].tolist()
    return picked


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` "First Last" names; repeats are fine, as in any large company."""
    first = pick(rng, FIRST_NAMES, n)
    last = pick(rng, LAST_NAMES, n)
    return [f"{a} {b}" for a, b in zip(first, last, strict=True)]


def slug(name: str) -> str:
    """``Cloud Services`` -> ``cloud-services``: the form used in repo paths."""
    return "-".join(name.lower().split())
