"""deploy/SIZING.md's figures come from the bench run kept beside it (deploy/sizing/): its inputs are
read from the run's figures and its volumes are recomputed here from them."""

import json
import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit
RUN = json.loads((ROOT / "deploy/sizing/county-2026-12-01.json").read_text())
SIZING = (ROOT / "deploy/SIZING.md").read_text()
MEMBERS = {"a city": 200_000, "a province": 2_000_000, "the country": 100_000_000}


def _inputs() -> dict[str, float]:
    fp = RUN["footprint"]
    year_events = RUN["events"] - RUN["members"] - RUN["orgs"] * 2  # less the registry as the year starts (orgs, members, secretaries)
    return {
        "E": round(year_events / RUN["members"], 1),
        "R": round(fp["records"] / fp["compliance_events"], 2),
        "B": fp["topic_bytes_per_record"],
        "D": sum(fp["schema_bytes_per_compliance_event"].values()),
        "L": RUN["compliance_live_events_per_s"],
        "P": RUN["compliance_replay_events_per_s"],
    }


def _row(label: str) -> str:
    return next(line for line in SIZING.splitlines() if line.startswith(f"| {label} |"))


def test_the_inputs_are_the_runs():
    for name, value in _inputs().items():
        row = next(line for line in SIZING.splitlines() if line.startswith(f"| {name}:"))
        assert f"| {value:,} |".replace(".0 |", " |") in row or f"| {value:,} |" in row, (name, value, row)
    s = " / ".join(f"{step['events_per_s']:,}" for step in RUN["instances"])
    assert s in _row("S: compliance, sanctions/s, 1 / 2 / 3 instances")


def test_the_volumes_follow_from_them():
    i = _inputs()
    for label, members in MEMBERS.items():
        row = _row(label)
        events = members * i["E"]
        records = events * i["R"]
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert _number(cells[2]) == pytest.approx(events, rel=0.02), (label, cells[2])
        assert _number(cells[3]) == pytest.approx(records, rel=0.02), (label, cells[3])
        assert _number(cells[4].split(";")[0]) == pytest.approx(records * i["B"], rel=0.02), (label, cells[4])
        assert _number(cells[4].split(";")[1]) == pytest.approx(records * i["B"] * 3, rel=0.02), (label, cells[4])
        assert _number(cells[5]) == pytest.approx(events * i["D"], rel=0.02), (label, cells[5])


UNITS = {"K": 1e3, "M": 1e6, "G": 1e9, "GB": 1e9, "TB": 1e12}


def _number(cell: str) -> float:
    """The last quantity a cell names ("× 627 B = 6.6 GB" → 6.6e9; "5.1 M" → 5.1e6)."""
    found = re.findall(r"([\d.,]+)\s*(TB|GB|K|M|G)?(?![\w.])", cell)
    value, unit = found[-1]
    return float(value.replace(",", "")) * UNITS.get(unit, 1)
