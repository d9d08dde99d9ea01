"""Which files make a bundle: one per entity of the contract, in a format the reader knows."""

from __future__ import annotations

from pathlib import Path

from loaders.problems import Problem
from loaders.report import LoadReport
from store.contract import ENTITY_BY_NAME, FORMATS


def bundle_files(directory: Path, report: LoadReport) -> dict[str, Path]:
    """The bundle's file for each entity present; other files go to ``report.ignored_files``."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory (a bundle is a directory of files)")
    found: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        entity = ENTITY_BY_NAME.get(path.stem)
        if entity is None or path.suffix not in FORMATS or not path.is_file():
            report.ignored_files.append(path.name)
            continue
        if entity.name in found:
            problem = Problem(
                path.name,
                0,
                None,
                f"two files for {entity.name}: {found[entity.name].name} and {path.name}",
            )
            report.rejected.append(problem)
            continue
        found[entity.name] = path
    if "teams" not in found:
        report.rejected.append(
            Problem("teams.csv", 0, None, "the bundle has no teams.csv or teams.jsonl (required)")
        )
    return found
