"""A realistic synthetic engineering org, written as a canonical bundle (``orgraph generate``).

The shape, at ``teams=20000`` (everything scales with ``teams``):

* **Org tree** (``org``): 2-5 orgs (roots), departments, and leaf teams at depth 3 to 8 with
  uneven fan-out; one "Platform Engineering" department has about 6% of all teams directly
  under it (1,200 children).
* **Reorgs** (``reorgs``): on a few Mondays, teams and departments move under a new parent,
  a few teams are dissolved (people and services go to a sibling) and a few split (a new team
  starts and takes part of the people and services). Depth never changes, so no date sees a
  cycle.
* **People** (``people``): about 10 per org unit (200k), roles SDE/SDM/TPM/PM/DS/QAE with an
  SDE share of 40-90% per team; a few % change team during the window.
* **Services** (``services``): about 10 per org unit (200k) on ``native_aws``, ``legacy_dc``
  or ``hybrid``; many legacy ones migrate to native AWS, some change owner.
* **Events** (``tempo``, ``delivery``, ``operations``): two years of changes, reviews,
  deployments, incidents and monthly/quarterly coverage and debt snapshots, about 500 rows
  per org unit (10M), with a per-team tempo from slow to elite, 10-20% remote contributions,
  a few % bot changes, and a few rows per 10,000 carrying the data contract's warnings
  (review before opening, first commit after merge, deployment before merge), never an error.

Known effects for the insights to find (a correlation, outliers, a migration's effect, a trend
and a season) are planted only when asked: ``generate_bundle(..., effects=Effects(...))``
(``synthetic/effects.py``).

Everything comes from one ``numpy.random.default_rng(seed)`` consumed in a fixed order, so the
same arguments give byte-identical files.
"""

from synthetic.bundle import GenerateReport, generate_bundle
from synthetic.effects import Effects, Planted

__all__ = ["Effects", "GenerateReport", "Planted", "generate_bundle"]
