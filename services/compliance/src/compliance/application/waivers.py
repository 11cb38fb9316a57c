"""An operator closes an obligation the operators own, with a reason (SPEC §2, status `waived`).

The waiver is applied here, in its own transaction, and published as `obligation.waived`; a replay
of the log reads that event back (domain.decisions.REPLAYED), so a rebuilt projection keeps it."""

from datetime import date, datetime

from compliance.application.messagebus import ComplianceBus, decided
from compliance.application.ports import UnitsOfWork
from compliance.domain.decisions import waived
from compliance.domain.obligations import Obligation
from compliance.domain.policy import Policy
from compliance.domain.responsibility import OPERATORS


class WaiverRefused(ValueError):
    """Why this obligation cannot be waived (a 404 when `missing`, else a 409)."""

    def __init__(self, message: str, missing: bool = False):
        self.missing = missing
        super().__init__(message)


async def waive(units: UnitsOfWork, policy: Policy, obligation_id: str, reason: str, now: datetime, today: date) -> Obligation:
    async with units() as uow:
        uow.day = today
        ob = await decided(uow, lambda view: [view.obligation(obligation_id)])
        found: Obligation | None = ob[0]
        if found is None:
            raise WaiverRefused(f"no obligation {obligation_id}", missing=True)
        if not found.is_open:
            raise WaiverRefused(f"obligation {obligation_id} is {found.status}, not open")
        if found.responsible_kind != OPERATORS:
            raise WaiverRefused(f"obligation {obligation_id} is owned by {found.responsible_id}, not the operators: only theirs may be waived")
        changes = await decided(uow, lambda view: waived(found, reason, now, view, policy, today))
        bus = ComplianceBus(policy, lambda: today, without_event="waiver")
        await bus.apply(uow, changes, None)
        await bus.finish_batch(uow)
    saved = [c.obligation for c in changes if hasattr(c, "obligation")]
    return saved[-1] if saved else found
