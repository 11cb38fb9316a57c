"""The faults, one coroutine each: `strike(system, ledger)` does its damage while the ledger's stream
runs, undoes it, and returns what it measured (shown in the summary line). Shared by the fault
suite (test_faults.py) and `make chaos` (chaos.py)."""

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from devstack.ports import free_port
from devstack.processes import ServiceProcess
from tests.conftest import eventually
from tests.system import System

from .ledger import Ledger

Strike = Callable[[System, Ledger], Awaitable[str]]
# Where a restarted consumer's first write lands, to time its recovery.
# (talks' obligations carry no time: its recovery is not timed)
FIRST_WRITE = {"compliance": ("compliance.obligations", "updated_at"), "notify": ("notify.inbox", "created_at")}


async def _first_write_since(ledger: Ledger, service: str, since: float) -> float | None:
    if service not in FIRST_WRITE:
        return None
    table, column = FIRST_WRITE[service]

    async def written():
        rows = await ledger.rows(f"SELECT min({column}) AS at FROM {table} WHERE {column} > $1", datetime.fromtimestamp(since, UTC))
        return rows[0]["at"]

    return (await eventually(written, timeout=90, interval=0.1)).timestamp() - since


def kill_9(service: str) -> Strike:
    """kill -9, then started again at once (as `make run`'s supervisor or an orchestrator does)."""

    async def strike(system: System, ledger: Ledger) -> str:
        system.services[service].kill()
        killed = time.time()
        system.services[service].start()
        recovery = await _first_write_since(ledger, service, killed)
        if recovery is None:
            return ""
        ledger.recoveries.append(recovery)
        return f"first row written {recovery:.1f} s after the kill"

    return strike


def broker_paused(seconds: float) -> Strike:
    async def strike(system: System, ledger: Ledger) -> str:
        os.kill(system.infra.broker_pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.kill(system.infra.broker_pid, signal.SIGCONT)
        return f"paused {seconds:.0f} s"

    return strike


async def connections_terminated(system: System, ledger: Ledger) -> str:
    terminated = []
    for _ in range(2):
        rows = await ledger.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        terminated.append(len(rows))
        await asyncio.sleep(1.0)
    assert all(terminated), "there were connections to terminate"
    return f"{'+'.join(map(str, terminated))} connections"


def channels_down(seconds: float) -> Strike:
    """The SMTP server and the webhook receiver gone (connections refused), then back: what failed
    meanwhile is sent on retry. Notify is restarted to look for due retries every second (the suite
    runs it with a one-minute poll, so that e-mails elsewhere prove the NOTIFY wake-up)."""

    async def strike(system: System, ledger: Ledger) -> str:
        system.smtp.stop()
        system.webhook.stop()
        try:
            await asyncio.to_thread(lambda: system.restart("notify", NOTIFY_DELIVERY_POLL_S="1", NOTIFY_BACKOFF_BASE_S="0.5").wait_ready(120))
            await asyncio.sleep(seconds)
            rows = await ledger.rows("SELECT count(*) AS n FROM notify.deliveries WHERE person_id LIKE $1 || '%' AND last_error IS NOT NULL", ledger.ids)
        finally:
            system.smtp.start()
            system.webhook.start()
        ledger.after.append(lambda: system.restart("notify").wait_ready(120))
        assert rows[0]["n"] > 0, "no delivery failed while the channels were down: the fault did not bite"
        return f"SMTP and webhook down {seconds:.0f} s: {rows[0]['n']} deliveries failed, then sent on retry"

    return strike


async def second_compliance_overlapping(system: System, ledger: Ledger) -> str:
    """A second compliance on the same partitions for a while, as a rolling deploy overlaps the old
    instance and the new: both apply the same events; each is applied once."""
    first = system.services["compliance"]
    second = ServiceProcess("compliance", free_port(), dict(first.env), first.log_path.with_name("compliance-2.log"))
    applied_before = _batches_applied(second.log_path)
    second.start()
    try:
        await asyncio.to_thread(second.wait_ready, 120)
        await asyncio.sleep(3)
    finally:
        await asyncio.to_thread(second.stop)
    return f"a second instance ran beside the first, applied {_batches_applied(second.log_path) - applied_before} batches, then left"


def _batches_applied(log: Path) -> int:
    return log.read_text().count('"batch applied"') if log.exists() else 0


# Events in the stream of a fault that needs longer to bite (a second instance takes a few seconds to start).
STREAM_OF = {"a second compliance overlapping": 80}

FAULTS: dict[str, Strike] = {
    "kill -9 compliance": kill_9("compliance"),
    "kill -9 notify": kill_9("notify"),
    "kill -9 talks": kill_9("talks"),
    "kill -9 registry": kill_9("registry"),
    "broker paused 10 s": broker_paused(10),
    "database connections terminated ×2": connections_terminated,
    "SMTP and webhook down, then up": channels_down(5),
    "a second compliance overlapping": second_compliance_overlapping,
}
