"""Verifying the audit chain end to end, a page at a time (python -m talks audit verify)."""

from collections.abc import Callable

from talks.application.ports import UnitsOfWork
from talks.domain.audit_chain import GENESIS, problems

PAGE = 10_000


async def verify_audit(units: UnitsOfWork, out: Callable[[str], None] = print) -> tuple[int, str, list[str]]:
    """(entries read, the newest entry's hash, what is wrong), following the chain across pages."""
    read, found, prev_hash, next_seq = 0, [], GENESIS, 1
    while True:
        async with units() as uow:
            page = await uow.audit.chain(after=next_seq - 1, limit=PAGE)
        if not page:
            return read, prev_hash, found
        found += problems(page, prev_hash, next_seq)
        read += len(page)
        prev_hash, next_seq = page[-1]["hash"], page[-1]["seq"] + 1
        out(f"  {read:,} entries checked")
