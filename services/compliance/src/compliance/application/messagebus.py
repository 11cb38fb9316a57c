"""The compliance consumer's handling of a batch: each event decided by the pure rules
(domain.decisions), its changes applied to the batch's rows, what they touch settled again, and
what consumers must hear staged for publishing — all in the consumer's one transaction.

A decision that reads something not loaded yet raises NotLoaded: the row is loaded and the
decision made again from the start (it is pure, so nothing of the first attempt remains).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

from prometheus_client import Counter

from compliance.application.announce import obligation_events, vacancy_event
from compliance.application.ports import UnitOfWork
from compliance.application.preload import needs_of_events
from compliance.domain.changes import Change, ObligationSaved, TriggerRefused, Unsettled, VacancyReported
from compliance.domain.decisions import REPLAYED, ROUTES
from compliance.domain.obligations import Cause, announcements, transitions
from compliance.domain.policy import Policy
from compliance.domain.resettling import settle_again, vacancies
from compliance.domain.view import NotLoaded, View
from kernel import tracing
from kernel.logging import get_logger
from talk_contracts import ParsedEvent

log = get_logger(__name__)
LOADED_ON_DEMAND = Counter("compliance_loaded_on_demand_total", "Rows a decision asked for that the batch had not preloaded", ["kind"])
_MAX_LOADS = 10_000  # per decision: more means a store that never learns what it loaded


async def decided(uow: UnitOfWork, decide: Callable[[View], list[Change]]) -> list[Change]:
    """The decision's changes, loading whatever it asks for that is not loaded yet."""
    for _ in range(_MAX_LOADS):
        try:
            return decide(uow.view)
        except NotLoaded as missing:
            LOADED_ON_DEMAND.labels(missing.kind).inc()
            log.debug("loading on demand", kind=missing.kind, key=str(missing.key))
            await uow.load(missing)
    raise RuntimeError("a decision kept asking for rows that were loaded")


class ComplianceBus:
    """Batch hooks and the handler of every event type compliance decides (kernel.consumer)."""

    def __init__(self, policy: Policy, today: Callable[[], date], *, replaying: bool = False, without_event: str = "batch"):
        self.policy, self.today = policy, today
        self.without_event = without_event  # what moves an obligation when no event does (Cause.kind)
        self.routes = ROUTES | (REPLAYED if replaying else {})
        # A rebuild tells nobody: it stages nothing to publish (the live service told them when it
        # happened), and logs no line per obligation.
        self.replaying = replaying

    def route(self) -> dict:
        return dict.fromkeys(self.routes, self.handle)

    async def start_batch(self, uow: UnitOfWork, events: list[ParsedEvent]) -> None:
        uow.day = self.today()  # one date for the whole batch
        uow.earliest = min((e.envelope.time for e in events), default=None)
        if not uow.holds_everything:
            await uow.prepare(needs_of_events(events, self.policy))

    async def handle(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        decide = self.routes[event.envelope.type]
        changes = await decided(uow, lambda view: decide(event, view, self.policy, uow.day))
        await self.apply(uow, changes, event)

    async def apply(self, uow: UnitOfWork, changes: list[Change], cause: ParsedEvent | None) -> None:
        """Apply the facts, publish what must be heard, then settle what the facts touched."""
        now = datetime.now(UTC)
        unsettled = []
        for change in changes:
            match change:
                case Unsettled():
                    unsettled.append(change)
                    uow.vacancy_candidates |= change.vacancies
                    continue
                case ObligationSaved(obligation=ob, before=before):
                    # Told once per batch, of the change from where it stood before the batch, as
                    # caused by the last event that changed it (seats judged at the batch's end
                    # change nothing of that).
                    first, last = uow.changed_obligations.get(ob.obligation_id, (before, None))
                    uow.changed_obligations[ob.obligation_id] = (first, cause or last)
                case VacancyReported() if not self.replaying:
                    uow.publish([vacancy_event(change, cause, now)])
                case TriggerRefused():
                    if not self.replaying:  # the live service dead-lettered it when it happened
                        uow.dead_letter(change)
                    log.warning("trigger refused", person_id=change.person_id, reason=change.reason)
            uow.apply(change)
        for u in unsettled:
            if u.subjects or u.orgs or u.obligation_ids or u.credit_people or u.held_people:
                await self.apply(uow, await decided(uow, lambda view, u=u: settle_again(u, view, self.policy, uow.day)), cause)

    def _cause(self, event: ParsedEvent | None) -> Cause:
        if event is None:
            return Cause(self.without_event)
        e = event.envelope
        return Cause("event", event.id, e.type, e.source, e.time)

    async def finish_batch(self, uow: UnitOfWork) -> None:
        """What consumers hear is judged once the whole batch is applied: a hand-over ends one
        secretary's term and starts the next one's, and in between nobody should be told of a
        vacancy, nor of an obligation passing through the hands of the parent's secretary."""
        if uow.vacancy_candidates:
            candidates = set(uow.vacancy_candidates)
            changes = await decided(uow, lambda view: vacancies(candidates, view, uow.day))
            await self.apply(uow, changes, None)
        now = datetime.now(UTC)
        for obligation_id, (first, cause) in sorted(uow.changed_obligations.items()):
            told = announcements(first, uow.view.obligation(obligation_id))
            if not told:
                continue
            uow.record(transitions(told, self._cause(cause)))  # the obligation's history, which explanations show
            if self.replaying:
                continue
            events = obligation_events(tuple(told), cause, now)
            uow.publish(events)  # staged in the cause's trace (kernel.tracing)
            # A line per transition, naming what caused it: `grep <correlation id>` (or its trace id)
            # follows a reported sanction from the registry through here to notify's inbox.
            with tracing.resumed(cause and cause.id):
                for e in events:
                    log.info(
                        e.type.removesuffix(".v1").replace(".", " "), obligation_id=obligation_id, cause_event_id=cause and cause.id,
                        correlation_id=cause and cause.envelope.correlationid,
                    )  # fmt: skip
        await uow.flush()
