"""A replay's rows kept in memory from batch to batch (adapters.unit_of_work.replay_units_of_work)
are trusted only while every batch commits: the commit is heard from the real database session."""

import pytest
from sqlalchemy import text

from compliance.adapters.unit_of_work import replay_units_of_work
from compliance.config import ComplianceSettings
from compliance.domain.policy import DEFAULT_POLICY


async def test_kept_rows_serve_batch_after_batch_until_one_does_not_commit(sessions):
    units = replay_units_of_work(ComplianceSettings(), DEFAULT_POLICY)
    opened = []

    async def batch(*, fails: bool = False) -> None:
        async with sessions() as session, session.begin():
            opened.append(units(session))
            await session.execute(text("SELECT 1"))
            if fails:
                raise RuntimeError("the batch failed")

    await batch()
    await batch()
    assert [u.holds_everything for u in opened] == [True, True]
    assert opened[1].rows is opened[0].rows  # the same rows: nothing loaded again

    with pytest.raises(RuntimeError):
        await batch(fails=True)
    await batch()  # what the failed batch left in memory is not in the database: from here, loaded
    await batch()
    assert [u.holds_everything for u in opened[2:]] == [True, False, False]
    assert opened[3].rows is not opened[2].rows and opened[4].rows is not opened[3].rows
