"""`make chaos SEED=… DURATION=…`: the fault suite's faults at random, one after another, for as long
as asked; the same seed replays the same run (which fault, when it strikes, how many events). Not
collected by `make test` (its name is not test_*); a table goes to .run/chaos/<seed>.md."""

import os
import random
import time
import uuid
from pathlib import Path

from .kinds import FAULTS
from .ledger import EVERY_S, line, struck

SEED = int(os.environ.get("CHAOS_SEED", "1"))
DURATION_S = float(os.environ.get("CHAOS_DURATION", "300"))
OUT = Path(__file__).resolve().parents[2] / ".run" / "chaos"


async def test_chaos(system, summary):
    rng = random.Random(SEED)
    kinds = [k for k in FAULTS if system.infra.broker_pid is not None or not k.startswith("broker")]
    rows, started = [], time.monotonic()
    while time.monotonic() - started < DURATION_S:
        kind, events = rng.choice(kinds), rng.randint(10, 40)
        # somewhere in the stream, with events still to come (a restarted consumer's recovery is
        # timed by the first row it writes)
        delay = round(rng.uniform(0.2, 0.7 * events * EVERY_S), 1)
        began = time.monotonic()
        ledger, said = await struck(system, f"c{uuid.UUID(int=rng.getrandbits(128)).hex[:6]}-", FAULTS[kind], events, delay)
        doubled = ledger.check(*await ledger.settled())
        summary.append(line(f"{len(rows) + 1:>3}. {kind}", ledger, doubled, said))
        recovery = f"{ledger.recoveries[0]:.1f} s" if ledger.recoveries else ""
        rows.append(
            f"| {len(rows) + 1} | {kind} | {delay} s | {len(ledger.accepted)} | each once | {doubled['emails']} ({doubled['emails doubled']})"
            f" / {doubled['webhooks']} ({doubled['webhooks doubled']}) | {recovery} | {time.monotonic() - began:.0f} s |"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    table = [
        f"`make chaos SEED={SEED} DURATION={DURATION_S:.0f}`: {len(rows)} faults in {time.monotonic() - started:.0f} s",
        "",
        "| # | fault | strikes after | accepted | obligations, alerts, in talks | e-mails / webhooks (doubled) | recovery after kill -9 | round |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    (OUT / f"{SEED}.md").write_text("\n".join(table) + "\n")
    summary.append(f"table: {OUT / f'{SEED}.md'}")
