"""What-if runs from the dashboard (issue 18): an operator of the whole city starts one, follows its
progress, reads the comparison and downloads it. The run replays the log inside the instance that
took it (entrypoints.what_if), into a scratch schema dropped once the report is kept; one at a time
in the deployment, for a replay of the whole log costs what a rebuild costs."""

import asyncio
import contextlib
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from compliance.adapters import what_if_runs as runs
from compliance.adapters.rebuild import drop_schema
from compliance.config import ComplianceSettings
from compliance.domain.policy import PolicyRefused, with_overrides
from compliance.domain.tree import chain
from compliance.entrypoints.dashboard import WEB
from compliance.entrypoints.sight import Seen
from compliance.entrypoints.what_if import COLUMNS, what_if
from kernel.access import public, signed_in
from kernel.logging import get_logger
from kernel.web import export, page

log = get_logger(__name__)


class RunAsked(BaseModel):
    policy: dict[str, Any] = Field(description='the policy numbers to change, e.g. {"due_days": {"M4": 5}}')
    year: int | None = Field(None, ge=1921, le=2200, description="the year to report (default: this year)")


class RunOut(BaseModel):
    run_id: str
    requested_by: str
    policy: dict[str, Any]
    year: int
    status: Literal["running", "done", "failed", "lost"]  # lost: its instance stopped while it ran
    stage: str | None
    done: int
    of: int
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    report: dict | None = None


class Runner:
    """This instance's run in progress, if any: its progress written every second as a heartbeat."""

    def __init__(self, settings: ComplianceSettings, sessions):
        self.settings, self.sessions = settings, sessions
        self.task: asyncio.Task | None = None

    async def run(self, run_id: str, overrides: dict, year: int) -> None:
        schema = f"compliance_whatif_{run_id[:8]}"
        latest = {"stage": "reading the log", "done": 0, "of": 0}

        async def beat() -> None:
            while True:
                await runs.progress(self.sessions, run_id, **latest, now=datetime.now(UTC))
                await asyncio.sleep(1.0)

        beating = asyncio.create_task(beat())
        try:
            report = await what_if(self.settings, overrides, year, schema=schema,
                                   progress=lambda stage, done, of: latest.update(stage=stage, done=done, of=of))  # fmt: skip
            beating.cancel()
            await runs.finish(self.sessions, run_id, datetime.now(UTC), report=report.as_json())
        except Exception as failed:  # the run is reported failed, the service goes on
            beating.cancel()
            log.exception("what-if failed", run_id=run_id)
            await runs.finish(self.sessions, run_id, datetime.now(UTC), error=f"{type(failed).__name__}: {failed}")
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await beating
            await drop_schema(self.settings.asyncpg_url(), schema)


def _out(row: dict, now: datetime) -> RunOut:
    if row["status"] == "running" and now - row["updated_at"] > runs.LOST_AFTER:
        row = row | {"status": "lost"}
    return RunOut(**row)


def build_what_if(settings: ComplianceSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["what-if"])
    pages = APIRouter()

    @pages.get("/what-if", include_in_schema=False, dependencies=[Depends(public)])  # the page signs in itself
    async def what_if_page(request: Request) -> Response:
        return page(WEB / "what-if.html", **settings.page_values())

    @router.get("/policy", dependencies=[Depends(signed_in)])
    async def live_policy() -> dict:
        """The policy numbers in force (domain/policy.py, with COMPLIANCE_POLICY applied): what a
        what-if changes."""
        return {name: list(v) if isinstance(v, tuple) else v for name, v in asdict(settings.policy()).items()}

    def operator(seen: Seen) -> None:
        if not seen.caller.has("operator"):
            raise HTTPException(403, "only operators run what-ifs")

    async def within_sight(seen: Seen, rows: list[dict]) -> list[dict]:
        """The whole log is replayed; an operator reads the organisations they oversee (the whole
        city's numbers only when they oversee all of it)."""
        if await seen.sees_everything():
            return rows
        parent_of = {r["org_id"]: r["parent_id"] for r in rows if r["org_id"] is not None}
        return [r for r in rows if r["org_id"] is not None and set(chain(r["org_id"], parent_of.get)) & seen.caller.scope]

    def runner(request: Request) -> Runner:
        state = request.app.state
        if getattr(state, "what_if", None) is None:
            state.what_if = Runner(settings, state.runtime.sessions)
        return state.what_if

    @router.post("/what-if", status_code=202, response_model=RunOut)
    async def start(request: Request, body: RunAsked, seen: Seen) -> RunOut:
        """Replay the whole log under the live policy changed by `policy`, and compare `year` with the
        live projection. 202 with the run to follow (`GET /v1/what-if/{run_id}`); 409 while another
        run goes on; 422 for a policy that cannot be taken, saying what is wrong."""
        operator(seen)
        try:
            with_overrides(settings.policy(), body.policy)
        except PolicyRefused as refused:
            raise HTTPException(422, f"policy: {refused}") from None
        sessions, now = request.app.state.runtime.sessions, datetime.now(UTC)
        going = await runs.running(sessions, now)
        if going is not None:
            raise HTTPException(409, f"what-if {going} is still running: one at a time")
        run_id = uuid.uuid4().hex
        year = body.year or datetime.now(UTC).astimezone(settings.policy().zone).year
        await runs.start(sessions, run_id, seen.caller.person_id, body.policy, year)
        me = runner(request)
        me.task = asyncio.create_task(me.run(run_id, body.policy, year))
        return _out(await runs.get(sessions, run_id, with_report=False), now)

    @router.get("/what-if", response_model=list[RunOut])
    async def recent(request: Request, seen: Seen) -> list[RunOut]:
        """The latest runs, newest first (without their reports)."""
        operator(seen)
        now = datetime.now(UTC)
        return [_out(row, now) for row in await runs.recent(request.app.state.runtime.sessions)]

    @router.get("/what-if/{run_id}", response_model=RunOut)
    async def one(request: Request, run_id: str, seen: Seen, org_id: str | None = None) -> RunOut:
        """A run's progress, and once done its report for one level of the tree: `org_id` and the
        organisations directly under it, or (without it) the whole city and its roots — within what
        the caller oversees. The export has every organisation."""
        operator(seen)
        row = await runs.get(request.app.state.runtime.sessions, run_id, with_report=True)
        if row is None:
            raise HTTPException(404, f"no what-if {run_id!r}")
        if row["report"] is not None:
            rows = await within_sight(seen, row["report"]["rows"])
            if org_id is None:
                seen_orgs = {r["org_id"] for r in rows} - {None}
                level = [r for r in rows if r["org_id"] is None or r["parent_id"] not in seen_orgs]  # the city, the tops
            else:
                level = [r for r in rows if org_id in (r["org_id"], r["parent_id"])]
            row["report"] = row["report"] | {"rows": level}
        return _out(row, datetime.now(UTC))

    @router.get("/what-if/{run_id}/export")
    async def download(request: Request, run_id: str, seen: Seen, format: Literal["csv", "xlsx"] = "csv") -> Response:
        """The whole comparison as a file: every organisation's subtree the caller oversees, every rule and measure."""
        operator(seen)
        row = await runs.get(request.app.state.runtime.sessions, run_id, with_report=True)
        if row is None or row["report"] is None:
            raise HTTPException(404, f"no finished what-if {run_id!r}")
        return export(f"what-if-{row['year']}", COLUMNS, await within_sight(seen, row["report"]["rows"]), format)

    pages.include_router(router)
    return pages
