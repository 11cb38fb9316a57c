"""The compliance service: its consumer, its HTTP routes, wired once."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from compliance.adapters import orm
from compliance.application.handlers import ComplianceHandlers
from compliance.application.held_triggers import report_held_too_long
from compliance.application.obligation_book import advance_all
from compliance.config import ComplianceSettings
from compliance.adapters.change_feed import ChangeFeed
from compliance.entrypoints.dashboard import WEB, build_dashboard
from compliance.entrypoints.http import build_router
from talk_contracts import Topic
from kernel.http import service_app
from kernel.web import mount_pages
from kernel.runtime import Runtime

CONSUMED = [Topic.REGISTRY, Topic.DISCIPLINE, Topic.CADRE, Topic.CONDUCT, Topic.TALKS]


def create_app(settings: ComplianceSettings | None = None, today: Callable[[], date] | None = None) -> FastAPI:
    settings = settings or ComplianceSettings()
    today = today or (lambda: datetime.now(UTC).date())
    runtime = Runtime(settings, service="compliance", metadata=orm.metadata, migrations="compliance.adapters.migrations")
    policy = settings.policy()
    handlers = ComplianceHandlers(settings, policy, today)
    runtime.consume("compliance", [t.value for t in CONSUMED], handlers.route(), handlers)
    runtime.every("lifecycle", settings.tick_seconds, lambda: advance_all(handlers.book, runtime.sessions, today()))
    held_limit = timedelta(hours=settings.held_limit_hours)
    runtime.every(
        "held-triggers", settings.tick_seconds, lambda: report_held_too_long(runtime.sessions, settings, held_limit, datetime.now(UTC))
    )

    app = service_app(
        runtime,
        title="compliance",
        description="Must-talk obligations and annual coverage, projected from the event log.",
        routers=[build_router(policy, today), build_dashboard(policy, today)],
    )
    app.state.change_feed = runtime.attach(ChangeFeed(settings.dsn()))
    mount_pages(app, WEB)
    return app
