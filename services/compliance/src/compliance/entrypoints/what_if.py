"""What a year would have looked like under another policy (issue 18).

    python -m compliance what-if --policy '{"due_days": {"M4": 5}}' [--year 2026] [--format json|csv|xlsx] [--out FILE]

The log is replayed from offset zero into a scratch schema (`--schema`, compliance_whatif) under the
live policy changed by `--policy`; nothing live is touched and nothing is published. The report
counts, per rule, for the whole city and for every organisation's subtree, the obligations the
year's triggers opened, fulfilled on time, late, escalated, cancelled and waived, and the year's
coverage, beside the same numbers of the live projection.
"""

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from compliance.adapters import orm
from compliance.adapters.outcomes import obligation_outcomes, org_tree
from compliance.adapters.queries import CoverageQueries
from compliance.application.coverage_report import coverage_counted
from compliance.config import ComplianceSettings
from compliance.domain.outcomes import COVERAGE, MEASURES, Counts, Row, roll_up, side_by_side, whole
from compliance.domain.policy import Policy, PolicyRefused, with_overrides
from compliance.domain.tree import depth as tree_depth
from compliance.entrypoints.replay import Progress, rebuild
from kernel.db import make_engine, make_sessionmaker
from kernel.logging import configure_logging, get_logger
from kernel.web import Column, table_file
from talk_contracts.calendar import local_date

log = get_logger("compliance.what_if")


@dataclass
class Outcomes:
    """One projection's year: per organisation (its own), and the tree to sum them over."""

    obligations: dict[str, Counts]
    coverage: dict[str, Counts]
    coverage_whole: Counts
    tree: list[tuple[str, str | None, str]]


@dataclass
class Report:
    policy: dict
    year: int
    today: date
    events: int
    seconds: float
    rows: list[dict] = field(default_factory=list)  # one per (scope, rule, measure): live, what_if, change

    def as_json(self) -> dict:
        return asdict(self) | {"today": self.today.isoformat()}


async def outcomes(url: str, schema: str, policy: Policy, year: int, today: date) -> Outcomes:
    engine = make_engine(url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    try:
        async with engine.connect() as conn:
            obligations = await obligation_outcomes(conn, year, policy)
            tree = await org_tree(conn)
        async with make_sessionmaker(engine)() as session:
            counted = await coverage_counted(CoverageQueries(session, policy.time_zone), policy, org_id=None, subtree=True, year=year, today=today)
    finally:
        await engine.dispose()
    tally = lambda t: {"covered": t.covered, "total": t.total}  # noqa: E731
    coverage = {org: {rule: tally(t) for rule, t in rules.items()} for org, rules in counted.by_org().items()}
    return Outcomes(obligations, coverage, {rule: tally(t) for rule, t in counted.tallies().items()}, tree)


def compare(live: Outcomes, what_if: Outcomes) -> list[dict]:
    """The whole city first, then every organisation's subtree (top down, by id)."""
    tree = {org: (parent, name) for org, parent, name in live.tree + what_if.tree}
    parent_of = {org: parent for org, (parent, _) in tree.items()}
    sums = [
        (roll_up(live.obligations, parent_of), roll_up(what_if.obligations, parent_of), MEASURES),
        (roll_up(live.coverage, parent_of, own_excluded=["COV-SECRETARY"]), roll_up(what_if.coverage, parent_of, own_excluded=["COV-SECRETARY"]), COVERAGE),
    ]
    rows: list[Row] = side_by_side(None, whole(live.obligations), whole(what_if.obligations), MEASURES)
    rows += side_by_side(None, live.coverage_whole, what_if.coverage_whole, COVERAGE)
    depth = {org: tree_depth(org, parent_of.get) for org in parent_of}
    for org in sorted(parent_of, key=lambda o: (depth[o], o)):
        for ours, theirs, measures in sums:
            rows += side_by_side(org, ours.get(org, {}), theirs.get(org, {}), measures)
    return [
        {"org_id": r.org_id, "org_name": tree[r.org_id][1] if r.org_id else "全市", "parent_id": parent_of.get(r.org_id),
         "depth": depth.get(r.org_id, -1) if r.org_id else -1, "rule_id": r.rule_id, "measure": r.measure,
         "live": r.live, "what_if": r.what_if, "change": r.change}
        for r in rows
    ]  # fmt: skip


async def what_if(
    settings: ComplianceSettings, overrides: dict, year: int | None = None, *, schema: str = "compliance_whatif",
    idle_seconds: float = 3.0, progress: Progress | None = None,
) -> Report:  # fmt: skip
    """Replay the log under the changed policy into `schema`, and compare its year with the live one."""
    live_policy = settings.policy()
    policy = with_overrides(live_policy, overrides)  # PolicyRefused before anything is touched
    today = local_date(datetime.now(UTC), policy.zone)
    year = year or today.year
    started = time.monotonic()
    events = await rebuild(settings, schema, idle_seconds, policy=policy, progress=progress)
    if progress is not None:
        progress("comparing", events, events)
    url = settings.asyncpg_url()
    live = await outcomes(url, orm.SCHEMA, live_policy, year, today)
    theirs = await outcomes(url, schema, policy, year, today)
    report = Report(overrides, year, today, events, round(time.monotonic() - started, 1), compare(live, theirs))
    log.info("what-if done", year=year, events=events, seconds=report.seconds, policy=json.dumps(overrides, ensure_ascii=False))
    return report


COLUMNS = [
    Column("org_id", "组织编号"), Column("org_name", "组织"), Column("parent_id", "上级组织编号"), Column("depth", "层级"), Column("rule_id", "规则"),
    Column("measure", "指标"), Column("live", "现行"), Column("what_if", "假设"), Column("change", "变化"),
]  # fmt: skip


def bar(out=sys.stderr) -> Progress:
    """A progress bar on a terminal; a line per tenth of the way elsewhere (a log, CI)."""
    shown: dict[str, int] = {}

    def report(stage: str, done: int, of: int) -> None:
        tenth = done * 10 // of if of else 10
        if out.isatty():
            filled = done * 30 // of if of else 30
            out.write(f"\r{stage:<18} [{'#' * filled}{'.' * (30 - filled)}] {done:>9,} / {of:,} events")
            if done >= of:
                out.write("\n")
        elif shown.get(stage) != tenth:
            out.write(f"{stage}: {done:,} / {of:,} events\n")
        shown[stage] = tenth
        out.flush()

    return report


def summary(report: Report) -> str:
    """The whole city's numbers, for the terminal."""
    lines = [f"what-if {json.dumps(report.policy, ensure_ascii=False)} for {report.year} ({report.events:,} events replayed in {report.seconds} s)",
             f"{'rule':<14}{'measure':<19}{'live':>8}{'what-if':>9}{'change':>8}"]  # fmt: skip
    for row in report.rows:
        if row["org_id"] is None and (row["live"] or row["what_if"]):
            lines.append(f"{row['rule_id']:<14}{row['measure']:<19}{row['live']:>8}{row['what_if']:>9}{row['change']:>+8}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m compliance what-if", description=__doc__.split("\n")[1])
    parser.add_argument("--policy", required=True, help='the policy numbers to change, as JSON, e.g. \'{"due_days": {"M4": 5}}\'')
    parser.add_argument("--year", type=int, help="the year to report (default: this year)")
    parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    parser.add_argument("--out", help="write the report here (default: JSON on stdout; csv and xlsx need --out)")
    parser.add_argument("--schema", default="compliance_whatif", help="the scratch schema the log is replayed into")
    parser.add_argument("--idle-seconds", type=float, default=3.0, help="the log is read until quiet this long")
    args = parser.parse_args(argv)
    if not args.schema.startswith(f"{orm.SCHEMA}_"):
        parser.error(f"--schema must name a scratch schema of compliance's own, {orm.SCHEMA}_<something> (not {args.schema!r})")
    if args.format != "json" and not args.out:
        parser.error(f"--format {args.format} writes a file: name it with --out")
    try:
        overrides = json.loads(args.policy)
    except json.JSONDecodeError as bad:
        parser.error(f"--policy is not JSON: {bad}")
    settings = ComplianceSettings()
    try:
        with_overrides(settings.policy(), overrides)
    except PolicyRefused as refused:
        parser.error(f"--policy: {refused}")
    configure_logging("compliance-what-if", settings.log_level, settings.log_format)
    report = asyncio.run(what_if(settings, overrides, args.year, schema=args.schema, idle_seconds=args.idle_seconds, progress=bar()))
    if args.format == "json":
        text = json.dumps(report.as_json(), ensure_ascii=False, indent=1, default=str)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            print(text)
    else:
        data, _ = table_file(f"what-if-{report.year}", COLUMNS, report.rows, args.format)
        with open(args.out, "wb") as f:
            f.write(data)
    print(summary(report), file=sys.stderr)
    return 0
