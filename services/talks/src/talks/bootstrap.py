"""The one place the talks service is wired: the runtime (database, broker, outbox relay), its
consumer of the registry's and compliance's events, the follow-up reminders, and the dependencies
the use cases are called with (SQL units of work, the content cipher, the DOCX forms). Entrypoints
take what they need from here; tests build the same pieces with their own sessions or fakes. (The
key-rotation command needs only units of work on an engine of its own: `adapters.unit_of_work`.)"""

from dataclasses import dataclass
from datetime import UTC, datetime

from kernel.runtime import Runtime
from talk_contracts import Topic
from talk_contracts.calendar import local_date
from talks.adapters import directory, forms, orm
from talks.adapters.unit_of_work import SqlUnitsOfWork
from talks.application.follow_ups import publish_due
from talks.application.ports import Dependencies
from talks.config import TalksSettings


@dataclass(frozen=True)
class Service:
    runtime: Runtime  # started and stopped with the HTTP app
    talks: Dependencies


def bootstrap(settings: TalksSettings) -> Service:
    cipher = settings.cipher()  # no keys, no service: content is never stored in the clear
    runtime = Runtime(settings, service="talks", metadata=orm.metadata, migrations="talks.adapters.migrations")
    units = SqlUnitsOfWork(runtime.sessions, settings)
    # Talks' view of the registry and of compliance's obligations: plain upserts, applied in adapters.
    runtime.consume("talks", [Topic.REGISTRY.value, Topic.COMPLIANCE.value], directory.ROUTES, directory.ObligationsInBulk())
    # follow-up measures fall due by the dates of the deployment's calendar
    runtime.every("follow-ups", settings.tick_seconds, lambda: publish_due(units, local_date(datetime.now(UTC), settings.zone)))
    return Service(runtime, Dependencies(units=units, cipher=cipher, render=forms.render, zone=settings.zone))

