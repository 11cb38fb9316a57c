"""python -m talks audit verify: follow the audit's hash chain from its first entry to its newest and
say whether any entry was altered, removed or moved (exit 1 if so). Prints the newest entry's hash:
kept elsewhere, it anchors the chain's end (the chain alone cannot show its newest entries removed)."""

import asyncio
import sys

from kernel.settings import load_settings
from talks.adapters.unit_of_work import standalone_units
from talks.application.audit_verify import verify_audit
from talks.config import TalksSettings


async def verify(settings: TalksSettings) -> int:
    async with standalone_units(settings) as units:
        read, tail, found = await verify_audit(units, lambda line: print(line, file=sys.stderr))
    for problem in found:
        print(problem)
    if found:
        print(f"audit NOT intact: {len(found)} problems in {read:,} entries")
        return 1
    print(f"audit intact: {read:,} entries; newest hash {tail}")
    return 0


def main(args: list[str]) -> int:
    if args != ["verify"]:
        print("usage: python -m talks audit verify", file=sys.stderr)
        return 2
    return asyncio.run(verify(load_settings(TalksSettings)))
