"""The daily life cycle (SPEC §3.4): obligations move to due soon, overdue and escalated as the
dates pass. Changes that depend on dates happen at 00:00 in the deployment's calendar; the tick
runs often, so a stage is reached within a tick of midnight."""

from collections.abc import Callable
from datetime import date

from compliance.application.messagebus import ComplianceBus, decided
from compliance.application.ports import UnitsOfWork
from compliance.domain.changes import ObligationSaved, Unsettled
from compliance.domain.policy import Policy
from compliance.domain.resettling import settle_again
from compliance.domain.responsibility import NOW


async def advance(units: UnitsOfWork, policy: Policy, today: date) -> int:
    """Every open obligation whose stage moves today, settled again; returns how many."""
    bus = ComplianceBus(policy, lambda: today, without_event="tick")
    async with units() as uow:
        uow.day = today
        ids = await uow.load_stage_candidates(today)
        if not ids:
            return 0
        unsettled = Unsettled(NOW, obligation_ids=frozenset(ids))
        changes = await decided(uow, lambda view: settle_again(unsettled, view, policy, today))
        await bus.apply(uow, changes, None)
        await bus.finish_batch(uow)
    return sum(1 for c in changes if isinstance(c, ObligationSaved))


Ticker = Callable[[], date]
