"""The figures as a table: printed, written beside the JSON, and (county, city) kept in README."""

import json
import re
from pathlib import Path


def _markers(size: str) -> tuple[str, str]:
    """Where a size's table stands in README: the county's between `bench:start` and `bench:end`,
    each other size's between markers of its own (`bench:city:start` ...)."""
    name = "bench" if size == "county" else f"bench:{size}"
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def table(f: dict) -> str:
    lat, q = f["accept_to_inbox"], f["queries"]
    rss = ", ".join(f"{k} {v}" for k, v in f["peak_rss_mb"].items())
    rows = [
        ("raw ceiling (aiokafka + decode + batched upsert + commit)", f"{_n(f['raw_ceiling_events_per_s'])} events/s"),
        (f"textbook peer (FastStream per message, a pooled engine, a transaction each; {_n(f['peer_events'])} events)",
         f"{_n(f['peer_events_per_s'])} events/s"),
        (f"compliance replay from offset zero (batches of {f['batch']})",
         f"{_n(f['compliance_replay_events_per_s'])} events/s — {f['replay_to_ceiling']:.0%} of the ceiling, "
         f"{f['replay_to_peer']:.1f}× the peer"),
        *([("memory of the replay: the bench's process (the log read → with the projection kept), the broker, the rebuilt tables",
            f"{_n(f['log_read_rss_mb'])} → {_n(f['replay_rss_mb'])} MB, broker "
            + (f"{_n(f['broker_rss_mb'])} MB" if f["broker_rss_mb"] is not None else "not ours")
            + f", tables {_n(f['replay_tables_mb'])} MB")] if "replay_rss_mb" in f else []),
        (f"what-if {json.dumps(f['what_if_policy'])} (replay under it, the year's outcomes of both compared; {_n(f['what_if_rows'])} rows)",
         f"{f['what_if_seconds']} s; city M4 live → what-if: "
         + ", ".join(f"{m} {a} → {b}" for m, (a, b) in f["what_if_M4"].items() if m in ("fulfilled_on_time", "late", "escalated"))),
        (f"compliance live (the running service beside the other three; the year's first {_n(f['live_events'])} events "
         "on the registry, in a system of their own: the sanctions below run in another)",
         f"{_n(f['compliance_live_events_per_s'])} events/s"),
        ("then the other services' backlog (obligation events) drained in",
         f"{f['backlog_seconds']} s" if f["backlog_seconds"] < f["backlog_limit"] else f"not within {f['backlog_limit']} s"),
        (f"batched, as the service and as the replay (its rows in memory), equals one by one (first {_n(f['checked_events'])} events)",
         "yes" if f["batched_equals_one_by_one"] else f"NO: {f['differences']}"),
        (f"accept → inbox at {f['latency_rate']} events/s for {f['latency_seconds']} s ({_n(lat['alerted'])} alerts)",
         f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, p99 {lat['p99_ms']} ms (after the first second: p99 {lat.get('p99_after_first_second_ms')} ms)"),
        *[(f"  {stage}", f"p50 {v['p50_ms']} ms, p99 {v['p99_ms']} ms") for stage, v in lat.get("stages", {}).items()],
        ("compliance as 1, 2, 3 instances in its group (sanctions; % of a core used by each meanwhile)",
         "; ".join(f"{s['instances']}: {_n(s['events_per_s'])} events/s ("
                   + ", ".join(f"{k} {v}" for k, v in s["cpu_percent"].items()) + f"; {s['batches_run_again']} batches run again)"
                   for s in f.get("instances", []))),
        ("the knee: the highest offered rate with p99 ≤ 500 ms and no growing queue",
         f"{_n(f['knee']['knee_events_per_s'])} events/s (steps: "
         + ", ".join(f"{s['rate']}/s p99 {s['p99_ms']} ms (after its first second {s.get('p99_after_first_second_ms')} ms)" for s in f["knee"]["steps"])
         + (f"; first to saturate: {f['knee']['first_saturated_stage']})" if f["knee"]["first_saturated_stage"] else ")")),
        ("GET /v1/coverage, whole tree", f"p50 {q['coverage_whole_tree']['p50_ms']} ms, p99 {q['coverage_whole_tree']['p99_ms']} ms"),
        ("GET /v1/obligations, pages of 100", f"p50 {q['obligations_page']['p50_ms']} ms, p99 {q['obligations_page']['p99_ms']} ms"),
        ("GET /v1/tree, the level below the root", f"p50 {q['dashboard_tree_level']['p50_ms']} ms, p99 {q['dashboard_tree_level']['p99_ms']} ms"),
        (f"at rest, {f['at_rest_cpu_percent']['seconds']} s with nothing happening: % of one core",
         f"{f['at_rest_cpu_percent']['all']} % (" + ", ".join(f"{k} {v}" for k, v in f["at_rest_cpu_percent"].items() if k not in ("all", "seconds")) + ")"),
        ("peak RSS, MB", rss),
        *([("footprint: bytes per record on the topics; per event compliance applied, in each service's tables",
            f"{_n(f['footprint']['topic_bytes_per_record'])} bytes ({_n(f['footprint']['records'])} records); "
            + ", ".join(f"{k} {_n(v)}" for k, v in f["footprint"]["schema_bytes_per_compliance_event"].items())
            + f" (of {_n(f['footprint']['compliance_events'])} events)")] if "footprint" in f else []),
        ("whole run", f"{f['run_seconds']:.0f} s"),
    ]  # fmt: skip
    head = (
        f"SIZE={f['size']}: {_n(f['events'])} events ({_n(f['orgs'])} organisations, {_n(f['members'])} members), "
        f"{f['machine']}, {f['infrastructure']}, {f['date']}\n\n"
    )
    return head + "| figure | value |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)


def keep_in_readme(readme: Path, text: str, size: str) -> bool:
    """Replace what stands between the README's markers of the size; False when they are missing."""
    start, end = _markers(size)
    content = readme.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(content):
        return False
    readme.write_text(pattern.sub(lambda _: f"{start}\n{text}{end}", content))
    return True
