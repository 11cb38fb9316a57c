"""A member's yearly dossier for party-spirit analysis and democratic appraisal (SPEC §4): the talks
held with them, the must-talks they were the subject of and how each was met, and their follow-up
measures. Metadata only; shown to those who may read the member's records, and audited."""

from zoneinfo import ZoneInfo

from talks.application.ports import Row, UnitsOfWork
from talks.application.reading import entitlement
from talks.domain.dossier import assemble
from talks.domain.records import year_window


async def dossier(units: UnitsOfWork, person_id: str, year: int, reader: str | None, auditors: frozenset[str], tz: ZoneInfo) -> Row | None:
    """None for someone who is not a member; PermissionError for a reader not entitled to it."""
    async with units() as uow:  # the audit row commits, granted or not
        orgs = await uow.directory.orgs_of([person_id])
        if person_id not in orgs:
            return None
        basis = await entitlement(uow.directory, reader, [], [person_id], orgs, auditors)
        await uow.audit.record(f"dossier:{person_id}:{year}", reader, basis)
    if basis is None:
        raise PermissionError(f"{reader or 'an anonymous caller'} may not read the dossier of {person_id}")
    start, end = year_window(year, tz)
    async with units() as uow:
        talks = await uow.talks.held_with(person_id, start, end)
        first, after = start.date(), end.date()  # local dates: the year's days
        obligations = await uow.obligations.of_subject(person_id, first, after)
        follow_ups = await uow.follow_ups.owned_by(person_id, first, after)
        name = (await uow.directory.names([person_id])).get(person_id)
    return assemble(person_id, name, orgs[person_id], year, talks, obligations, follow_ups)
