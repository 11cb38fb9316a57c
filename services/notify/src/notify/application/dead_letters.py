"""The dead-letter store: deliveries given up after their last retry, until an operator replays them."""

from datetime import datetime

from notify.application.ports import UnitOfWorkFactory
from notify.application.records import DeadLetter


async def list_dead_letters(unit_of_work: UnitOfWorkFactory, limit: int) -> list[DeadLetter]:
    async with unit_of_work() as uow:
        return await uow.deliveries.dead_letters(limit)


async def replay_dead(unit_of_work: UnitOfWorkFactory, delivery_id: str | None, now: datetime) -> list[str]:
    """Put dead deliveries (one, or all with None) back in the queue for a fresh round of attempts."""
    async with unit_of_work() as uow:
        return await uow.deliveries.revive(delivery_id, now)
