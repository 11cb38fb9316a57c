"""The one place that wires notify: its use cases to their adapters, and the service around them.

`create_app` builds the running service (database, broker, consumer, delivery worker, digest,
HTTP routes) for `python -m notify`; `bootstrap` wires the use cases alone, and tests call it with
the sessions of their own database. It lives outside the layers so that the entrypoints (the HTTP
routes) need no adapter, and nothing below them reaches SQLAlchemy.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI

from kernel.http import service_app
from kernel.runtime import Runtime
from notify.adapters import orm
from notify.adapters.channels import configured_channels
from notify.adapters.repositories.deliveries import DUE_CHANNEL
from notify.adapters.unit_of_work import Sessions, for_consumer, opener
from notify.application.delivery_worker import DeliveryWorker
from notify.application.digest import send_digests
from notify.application.handlers import NotifyHandlers
from notify.application.ports import Channel, EventHandler, UnitOfWork, UnitOfWorkFactory
from notify.config import NotifySettings
from notify.domain.alerts import Templates
from notify.entrypoints.http import router
from talk_contracts import Topic

CONSUMED = [Topic.REGISTRY.value, Topic.COMPLIANCE.value, Topic.TALKS.value]


@dataclass(frozen=True)
class Notify:
    """Notify's use cases wired to PostgreSQL and the configured channels."""

    templates: Templates
    # A unit of work in a transaction of its own: the HTTP routes, the delivery worker, the digest.
    unit_of_work: UnitOfWorkFactory
    # The consumer's handlers by event type, and what wraps each batch's session for them.
    handlers: dict[str, EventHandler]
    hooks: NotifyHandlers  # start_batch / finish_batch: the batch's names loaded, its alerts written
    consumer_unit_of_work: Callable[[object], UnitOfWork]
    worker: DeliveryWorker


def bootstrap(
    settings: NotifySettings,
    sessions: Sessions,
    channels: dict[str, Channel] | None = None,
    rand: Callable[[], float] | None = None,  # the back-off's jitter; tests fix it
) -> Notify:
    templates = settings.templates()  # a bad template file fails here, at start-up
    open_unit_of_work = opener(sessions, settings)
    channels = configured_channels(settings) if channels is None else channels
    handlers = NotifyHandlers(settings, templates)
    return Notify(
        templates=templates,
        unit_of_work=open_unit_of_work,
        handlers=handlers.route(),
        hooks=handlers,
        consumer_unit_of_work=for_consumer(settings),
        worker=DeliveryWorker(open_unit_of_work, settings, channels, templates, rand),
    )


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = Runtime(settings, service="notify", metadata=orm.metadata, migrations="notify.adapters.migrations")
    notify = bootstrap(settings, runtime.sessions)
    runtime.consume("notify", CONSUMED, notify.handlers, notify.hooks, unit_of_work=notify.consumer_unit_of_work)
    # Woken by the transaction that makes deliveries due; the poll only catches retries and quiet hours.
    runtime.every("deliveries", settings.delivery_poll_s, notify.worker.run_until_idle, wake_on=DUE_CHANNEL)
    runtime.every("digest", 60.0, lambda: send_digests(notify.unit_of_work, settings, notify.templates, datetime.now(UTC)))
    app = service_app(
        runtime,
        title="notify",
        description="Alerts to the responsible secretaries: in-app inbox, e-mail, signed webhook; retries and dead letters.",
        routers=[router],
    )
    app.state.unit_of_work = notify.unit_of_work  # what the routes' use cases run in (entrypoints/http.py)
    return app
