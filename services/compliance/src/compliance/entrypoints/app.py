"""The compliance service: its consumer, its periodic work, its HTTP routes, wired once."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from compliance.adapters import orm
from compliance.adapters.change_feed import ChangeFeed
from compliance.adapters.held_triggers import report_held_too_long
from compliance.adapters.meetings import meetings
from compliance.adapters.rollups import count_and_fold
from compliance.adapters.status_metrics import sample_obligations
from compliance.adapters.unit_of_work import batch_unit_of_work, units_of_work
from compliance.application.lifecycle import advance
from compliance.application.meetings import remind
from compliance.application.messagebus import ComplianceBus
from compliance.config import CONSUMED, ComplianceSettings
from compliance.entrypoints.dashboard import WEB, build_dashboard
from compliance.entrypoints.explanations import build_explanations
from compliance.entrypoints.http import build_router
from compliance.entrypoints.what_if_http import build_what_if
from kernel.http import service_app
from kernel.runtime import Runtime
from kernel.web import mount_pages
from talk_contracts.calendar import local_date


def create_app(settings: ComplianceSettings | None = None, today: Callable[[], date] | None = None) -> FastAPI:
    settings = settings or ComplianceSettings()
    policy = settings.policy()
    today = today or (lambda: local_date(datetime.now(UTC), policy.zone))  # "today" in the deployment's calendar
    runtime = Runtime(settings, service="compliance", metadata=orm.metadata, migrations="compliance.adapters.migrations")
    bus = ComplianceBus(policy, today)
    # Serializable: a decision reads facts (seats, memberships, talks) that another instance may be
    # writing in the same moment; side by side, instances must end where one would (tests/scale/).
    runtime.consume("compliance", [t.value for t in CONSUMED], bus.route(), bus, batch_unit_of_work(settings, policy), serializable=True)
    units = units_of_work(runtime.serializable, settings, policy)  # the tick beside other instances' batches
    runtime.every("lifecycle", settings.tick_seconds, lambda: advance(units, policy, today()))
    runtime.every("meetings", settings.tick_seconds, lambda: remind(meetings(runtime.sessions, settings), policy, today()))
    held_limit = timedelta(hours=settings.held_limit_hours)
    runtime.every(
        "held-triggers", settings.tick_seconds, lambda: report_held_too_long(runtime.sessions, settings, held_limit, datetime.now(UTC))
    )

    runtime.every(
        "coverage-rollups", settings.rollup_seconds, lambda: count_and_fold(runtime.serializable, runtime.sessions, today(), policy.time_zone)
    )
    runtime.every("obligation-metrics", settings.metrics_sample_s, lambda: sample_obligations(runtime.sessions))

    app = service_app(
        runtime,
        title="compliance",
        description="Must-talk obligations and annual coverage, projected from the event log.",
        routers=[build_router(policy, today), build_explanations(policy, today), build_what_if(settings), build_dashboard(policy, today)],
    )
    app.state.change_feed = runtime.attach(ChangeFeed(settings.dsn()))
    mount_pages(app, WEB)
    return app
