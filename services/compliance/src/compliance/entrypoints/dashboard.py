"""The operators' dashboard: its page at `/`, the reads behind it, its live changes, and an export
of every table it shows. Each table is read by one function, for the page and the file alike."""

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from compliance.adapters.dashboard_queries import (
    children,
    list_obligations,
    monthly,
    org_path,
    seats_of,
    status_counts,
    subtree_tops,
    workload,
)
from compliance.adapters.queries import CoverageQueries
from compliance.application.coverage_report import RULES, Tally, coverage, coverage_counted, coverage_of_branches
from compliance.domain.policy import Policy
from compliance.entrypoints.http import Filter
from compliance.entrypoints.sight import Seen
from kernel.access import public, signed_in
from kernel.http import Offset
from kernel.web import Column, event_stream, export, page

WEB = Path(__file__).parent / "web"
Year = Annotated[int | None, Query(ge=1921, le=2200)]
MAX_EXPORT = 100_000

COLUMNS: dict[str, list[Column]] = {
    "tree": [
        Column("org_id", "组织编号"), Column("name", "组织名称"), Column("kind", "类型"),
        Column("members", "党员数"), Column("members_covered", "已谈话党员"), Column("members_pending", "待谈话党员"),
        Column("members_at_risk", "有风险党员"), Column("coverage_pct", "覆盖率%"),
        Column("secretaries", "下级书记数"), Column("secretaries_covered", "已谈话书记"),
        Column("pairs", "班子成员对数"), Column("pairs_covered", "已谈话对数"),
    ],
    "obligations": [
        Column("obligation_id", "编号"), Column("rule_id", "规则"), Column("subject_name", "谈话对象"),
        Column("subject_id", "对象编号"), Column("org_name", "所在组织"), Column("responsible_name", "责任书记"),
        Column("responsible_id", "书记编号"), Column("triggered_at", "触发时间"), Column("due_date", "截止日期"),
        Column("status", "状态"),
    ],
    "workload": [
        Column("responsible_name", "责任书记"), Column("responsible_id", "书记编号"), Column("open_total", "待办合计"),
        Column("open", "未到期"), Column("due_soon", "即将到期"), Column("overdue", "已逾期"),
        Column("escalated", "已上报"), Column("earliest_due", "最早截止"),
    ],
    "people": [
        Column("person_id", "党员编号"), Column("name", "姓名"), Column("org_id", "组织编号"),
        Column("talks", "谈话次数"), Column("target", "目标"), Column("state", "状态"),
    ],
    "monthly": [
        Column("month", "月份"), Column("opened", "新增必谈"), Column("fulfilled", "已履行"),
        Column("covered", "已覆盖党员"), Column("members", "党员数"), Column("coverage_pct", "覆盖率%"),
    ],
}  # fmt: skip


def build_dashboard(policy: Policy, today: Callable[[], date]) -> APIRouter:
    router = APIRouter()

    @router.get("/", include_in_schema=False, dependencies=[Depends(public)])  # the page signs in itself
    async def dashboard(request: Request) -> Response:
        return page(WEB / "dashboard.html", **request.app.state.runtime.settings.page_values())

    api = APIRouter(prefix="/v1", tags=["dashboard"])

    async def tree_rows(request: Request, parent_id: str | None, year: int | None) -> dict:
        now = today()
        year = year or now.year
        async with request.app.state.runtime.snapshots() as session:
            path = await org_path(session, parent_id) if parent_id else []
            if parent_id and not path:
                raise HTTPException(404, f"no organisation {parent_id!r}")
            level = await children(session, parent_id)
            reader = CoverageQueries(session, policy.time_zone)
            found = await coverage_of_branches(reader, policy, parent_id=parent_id, year=year, today=now)
            if found is None:  # a year not kept counted: counted from the rows, each organisation's branch looked up
                tops = await subtree_tops(session, parent_id)
                counted = await coverage_counted(reader, policy, org_id=parent_id, subtree=parent_id is not None, year=year, today=now)
                found = counted.tallies(), counted.by_branch(tops)
        summary, branches = found
        rows = [{**org, **_flat(branches.get(org["org_id"]))} for org in level]
        return {"year": year, "parent_id": parent_id, "path": path, "summary": _flat(summary), "children": rows}

    @api.get("/tree", summary="One level of the organisation tree with each subtree's coverage for a year")
    async def tree(request: Request, seen: Seen, parent_id: str | None = None, year: Year = None) -> dict:
        """The organisations directly under `parent_id` (the roots without it), each with the coverage
        of its whole subtree as `GET /v1/coverage?org_id=<it>&subtree=true` counts it."""
        await seen.require_org(parent_id)
        return await tree_rows(request, parent_id, year)

    @api.get("/orgs/{org_id}", summary="An organisation and its ancestors (root first)")
    async def org(org_id: str, request: Request, seen: Seen) -> dict:
        await seen.require_org(org_id)
        async with request.app.state.runtime.snapshots() as session:
            path = await org_path(session, org_id)
        if not path:
            raise HTTPException(404, f"no organisation {org_id!r}")
        return {**path[-1], "path": path}

    @api.get("/people/{person_id}/seats", summary="The organisations where a person now sits on the committee")
    async def seats(person_id: str, request: Request, seen: Seen) -> dict:
        async with request.app.state.runtime.snapshots() as session:
            found = await seats_of(session, person_id)
        await seen.require_person(person_id, {s["org_id"] for s in found["seats"]} | ({found["org_id"]} - {None}))
        return found

    @api.get("/obligations/counts", summary="How many obligations are in each status, for the same filters")
    async def counts(request: Request, where: Filter, seen: Seen) -> dict[str, int]:
        where = await seen.narrow(where)
        async with request.app.state.runtime.snapshots() as session:
            return await status_counts(session, where)

    @api.get("/workload", summary="Open obligations per responsible secretary, the busiest first")
    async def secretaries(
        request: Request,
        response: Response,
        where: Filter,
        seen: Seen,
        limit: Annotated[int, Query(ge=1, le=1000)] = 20,
        offset: Offset = 0,
    ) -> list[dict]:
        where = await seen.narrow(where)
        async with request.app.state.runtime.snapshots() as session:
            total, rows = await workload(session, where, limit=limit, offset=offset)
        response.headers["X-Total-Count"] = str(total)
        return rows

    async def months(request: Request, org_id: str | None, subtree: bool, year: int | None) -> list[dict]:
        async with request.app.state.runtime.snapshots() as session:
            return await monthly(
                session, org_id=org_id, subtree=subtree, year=year or today().year, covered_at=policy.coverage_min_talks, zone=policy.time_zone
            )

    @api.get("/monthly", summary="Month by month: obligations opened and fulfilled, members covered")
    async def per_month(request: Request, seen: Seen, org_id: str | None = None, subtree: bool = False, year: Year = None) -> list[dict]:
        await seen.require_org(org_id)
        return await months(request, org_id, subtree, year)

    # For signed-in people only: the pages read it with fetch (which sends the token), then read what
    # changed with the same token, so the stream itself says only that something changed.
    @api.get("/changes", dependencies=[Depends(signed_in)], summary="Server-sent events: `change` whenever obligations or coverage change")
    async def changes(request: Request) -> Response:
        return event_stream(request.app.state.change_feed.changes(), gate=request.app.state.stream_gate)

    @api.get("/export/{table}.{fmt}", summary="Any dashboard table as CSV or XLSX, with the filters the page uses")
    async def download(
        table: Literal["tree", "obligations", "workload", "people", "monthly"],
        fmt: Literal["csv", "xlsx"],
        request: Request,
        where: Filter,
        seen: Seen,
        parent_id: str | None = None,
        year: Year = None,
    ) -> Response:
        if table == "tree":
            await seen.require_org(parent_id)
        elif table in ("monthly", "people"):
            await seen.require_org(where.org_id)
        else:
            where = await seen.narrow(where)
        sessions = request.app.state.runtime.sessions
        fetch: dict[str, Callable[[], Awaitable[list[dict]]]] = {
            "tree": lambda: _tree_children(tree_rows(request, parent_id, year)),
            "obligations": lambda: _page(sessions, list_obligations, where),
            "workload": lambda: _page(sessions, workload, where),
            "people": lambda: _people(sessions, policy, where, year or today().year, today()),
            "monthly": lambda: months(request, where.org_id, where.subtree, year),
        }
        return export(f"{table}-{date.today().isoformat()}", COLUMNS[table], await fetch[table](), fmt)

    router.include_router(api)
    return router


def _flat(rules: dict[str, Tally] | None) -> dict:
    """A subtree's tallies as the flat columns of the tree table."""
    rules = rules or {rule: Tally() for rule in RULES}
    m, s, p = rules["COV-MEMBER"], rules["COV-SECRETARY"], rules["COV-COMMITTEE"]
    return {
        "members": m.total, "members_covered": m.covered, "members_pending": m.pending, "members_at_risk": m.at_risk,
        "coverage_pct": round(100 * m.covered / m.total, 1) if m.total else None,
        "secretaries": s.total, "secretaries_covered": s.covered, "secretaries_at_risk": s.at_risk,
        "pairs": p.total, "pairs_covered": p.covered, "pairs_at_risk": p.at_risk,
    }  # fmt: skip


async def _tree_children(level: Awaitable[dict]) -> list[dict]:
    return (await level)["children"]


async def _page(sessions, query, where) -> list[dict]:
    async with sessions() as session:
        total, rows = await query(session, where, limit=MAX_EXPORT, offset=0)
    if total > MAX_EXPORT:  # never a file that silently lacks rows
        raise HTTPException(413, f"{total:,} rows match; an export holds at most {MAX_EXPORT:,}: narrow the filters")
    return rows


async def _people(sessions, policy: Policy, where, year: int, now: date) -> list[dict]:
    async with sessions() as session:
        found = await coverage(CoverageQueries(session, policy.time_zone), policy, org_id=where.org_id, subtree=where.subtree, year=year, today=now)
    return found.rows["COV-MEMBER"]
