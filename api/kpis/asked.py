"""What a query asks of a KPI report (read from its syntax), so that only that is computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graphql import FieldNode
from strawberry.types import Info

from api.core.context import Context
from api.core.errors import ApiError
from graph.catalogue import CATALOGUE
from graph.catalogue import Kpi as EngineKpi

_KPI_FIELDS = {d.field: kpi for kpi, d in CATALOGUE.items()}
_COMPARISONS = {
    "orgValue",
    "parentValue",
    "peerMedian",
    "peerPercentile",
    "zScore",
    "previousValue",
    "previousCoverage",
    "withheldComparisons",
}
_TYPICAL = {"typicalMedian", "typicalMean", "typicalTeams"}
_TIERS = {"leadTimeTier", "changeFailureTier", "restoreTier"}


@dataclass(frozen=True)
class Asked:
    """What a ``kpis`` selection asks for, so that only that is computed."""

    kpis: tuple[EngineKpi, ...] = tuple(EngineKpi)
    compare: bool = True
    typical: bool = True
    tiers: bool = True


def asked(info: Info[Context, None]) -> Asked:
    """The KPIs the query selects under ``kpis``, whether it asks for any comparison, the
    org's typical team or the tiers (all of them when fragments make the selection unclear).

    Reads the field's syntax nodes: Strawberry's ``selected_fields`` converts the whole
    selection tree on every call, which cost more than a third of a full report's resolution."""
    kpis: list[EngineKpi] = []
    compare = typical = tiers = False
    for node in info._raw_info.field_nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if not isinstance(selection, FieldNode):
                return Asked()
            tiers = tiers or selection.name.value in _TIERS
            kpi = _KPI_FIELDS.get(selection.name.value)
            if kpi is None:
                continue
            kpis.append(kpi)
            for sub in selection.selection_set.selections if selection.selection_set else ():
                if not isinstance(sub, FieldNode):
                    return Asked()
                typical = typical or sub.name.value in _TYPICAL
                compare = compare or sub.name.value in _COMPARISONS | _TYPICAL
    return Asked(tuple(kpis), compare, typical, tiers)


def check_window(start: date, end: date) -> None:
    if end <= start:
        raise ApiError(f"empty window [{start}, {end}): 'to' must be after 'from'")
