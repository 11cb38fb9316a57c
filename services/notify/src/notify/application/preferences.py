"""A person's own choices: channels beyond the inbox, quiet hours, the daily digest (SPEC §5)."""

from collections.abc import Sequence
from datetime import time

from notify.application.ports import UnitOfWorkFactory


async def save_preferences(
    unit_of_work: UnitOfWorkFactory, person_id: str, *,
    channels: Sequence[str], quiet_start: time | None, quiet_end: time | None, digest: bool,
) -> bool:  # fmt: skip
    """False when notify does not know the person (yet: people arrive with registry events)."""
    async with unit_of_work() as uow:
        return await uow.people.set_preferences(person_id, channels, quiet_start, quiet_end, digest)
