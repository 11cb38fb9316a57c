"""A stream of accepted events and the books kept on it: what the registry accepted, what compliance
opened, what notify put in the inbox and what reached the SMTP server and the webhook receiver."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from devstack.demo import DEV_CREDENTIALS, DEV_TOKEN, demo_city_events, sanction_event
from kernel.settings import asyncpg_dsn
from registry.domain.event_ids import published_id
from registry.entrypoints.auth import system_source
from tests.conftest import eventually
from tests.system import System, post_events

# The source the registry stamps on the stream's events: that of the token post_events sends with.
SENDER = system_source(DEV_CREDENTIALS[DEV_TOKEN]["system"])
# The members whose sanctions the stream reports, and the secretary each answers to (SPEC §2).
SUBJECTS = {"p-b1-m1": "p-b1-sec", "p-b1-m2": "p-b1-sec", "p-b1-m3": "p-b1-sec", "p-b2-m1": "p-b2-sec", "p-b2-m2": "p-b2-sec"}


@dataclass
class Ledger:
    system: System
    ids: str
    accepted: dict[str, str] = field(default_factory=dict)  # sender's id -> the id it travels under
    refused: int = 0  # answers that were not 202 (connection refused, 503 …): sent again, same id
    recoveries: list[float] = field(default_factory=list)  # seconds from a kill to the first row written again
    after: list = field(default_factory=list)  # what a fault leaves to undo once the stream is settled

    async def city(self, http: httpx.AsyncClient) -> None:
        assert (await post_events(http, self.system, demo_city_events(self.ids))).status_code == 202
        url = self.system.url("compliance")

        async def known():
            r = await http.get(f"{url}/v1/coverage", headers=self.system.operator(self.ids), params={"org_id": self.ids + "branch-2"})
            return r.status_code == 200 and r.json()["members"] == 4

        await eventually(known, timeout=60)

    async def stream(self, http: httpx.AsyncClient, count: int, every_s: float) -> None:
        """Report `count` sanctions, one every `every_s`; each is sent again (the same event) until the
        registry accepts it, as an integrated system retries."""
        subjects = list(SUBJECTS)
        at = datetime.now(UTC) - timedelta(minutes=5)
        for n in range(count):
            event = sanction_event(self.ids + subjects[n % len(subjects)], at + timedelta(seconds=n), case_ref=f"{self.ids}case-{n}")
            while True:
                try:
                    r = await post_events(http, self.system, [event])
                    if r.status_code == 202:
                        # A duplicate was accepted by an earlier attempt whose answer the fault lost
                        # (the registry killed between its commit and its reply): it travels under the
                        # same id, which the registry names only for events new to it. That id is
                        # derived from the source the registry stamps (the credential's system), not
                        # from the source the event says.
                        answer = r.json()
                        # (the ids named for new events say whether it is derived as we derive it)
                        assert all(t == published_id(SENDER, d) for d, t in answer["topic_ids"].items()), answer
                        self.accepted.update(answer["topic_ids"])
                        self.accepted.update({d: published_id(SENDER, d) for d in answer["duplicates"]})
                        break
                except httpx.TransportError:
                    pass
                self.refused += 1
                await asyncio.sleep(0.2)
            await asyncio.sleep(every_s)

    # the books ---------------------------------------------------------------------------------
    async def rows(self, sql: str, *args):
        conn = await asyncpg.connect(asyncpg_dsn(self.system.database_url))
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def obligations(self) -> list[asyncpg.Record]:
        return await self.rows(
            "SELECT obligation_id, rule_id, subject_id, responsible_id, status, trigger_event_id, trigger_date, due_date"
            " FROM compliance.obligations WHERE subject_id LIKE $1 || '%'",
            self.ids,
        )

    async def alerts(self) -> list[asyncpg.Record]:
        return await self.rows(
            "SELECT alert_id, person_id, obligation_id FROM notify.inbox WHERE transition = 'opened' AND person_id LIKE $1 || '%'", self.ids
        )

    async def in_talks(self) -> list[asyncpg.Record]:
        """The obligations as the talks service keeps them (its workspace lists them)."""
        return await self.rows("SELECT obligation_id FROM talks.obligations WHERE subject_id LIKE $1 || '%'", self.ids)

    async def settled(self, timeout: float = 90) -> tuple[list, list, list]:
        """Wait until every accepted event has its obligation (in compliance and in talks) and its
        alert, then a moment more for anything doubled to arrive; the rows as they then stand."""

        async def complete():
            n = len(self.accepted)
            if len(await self.obligations()) < n or len(await self.in_talks()) < n:
                return False
            alert_ids = {a["alert_id"] for a in await self.alerts()}
            emails, hooks = self.delivered()
            return len(alert_ids) >= n and alert_ids <= emails.keys() and alert_ids <= hooks.keys()

        await eventually(complete, timeout=timeout, interval=0.5)
        await asyncio.sleep(2)
        for undo in self.after:
            await asyncio.to_thread(undo)
        return await self.obligations(), await self.alerts(), await self.in_talks()

    def delivered(self) -> tuple[Counter, Counter]:
        """E-mails by Message-ID and webhook posts by Idempotency-Key (both the alert's id), as received."""
        smtp = Counter(
            m["data"].split("Message-ID: <", 1)[1].split("@", 1)[0] for m in self.system.smtp.messages if "Message-ID: <" in m["data"]
        )
        return smtp, Counter(r["headers"].get("Idempotency-Key") for r in self.system.webhook.requests)

    def check(self, obligations: list, alerts: list, in_talks: list) -> dict:
        """Each accepted event opened exactly one obligation, as a fault-free run opens it (by content),
        and exactly one alert to its secretary; returns the external deliveries counted per key."""
        by_trigger = Counter(ob["trigger_event_id"] for ob in obligations)
        assert set(by_trigger) == set(self.accepted.values()), "an accepted event without its obligation, or one never accepted"
        assert all(n == 1 for n in by_trigger.values()), f"doubled: {[t for t, n in by_trigger.items() if n > 1]}"
        for ob in obligations:
            assert (ob["rule_id"], ob["status"]) == ("M4", "open")
            assert ob["responsible_id"] == self.ids + SUBJECTS[ob["subject_id"].removeprefix(self.ids)]
            assert ob["due_date"] == ob["trigger_date"] + timedelta(days=7)
        alerted = Counter(a["obligation_id"] for a in alerts)
        assert set(alerted) == {ob["obligation_id"] for ob in obligations}, "an obligation without its alert"
        assert all(n == 1 for n in alerted.values()), "an obligation alerted twice"
        assert {ob["obligation_id"] for ob in in_talks} == {ob["obligation_id"] for ob in obligations}, "talks lost or made up one"
        alert_ids = {a["alert_id"] for a in alerts}
        smtp, hooks = self.delivered()
        assert alert_ids <= smtp.keys() and alert_ids <= hooks.keys(), "an alert never e-mailed or never posted"
        return {
            "emails": sum(n for key, n in smtp.items() if key in alert_ids),
            "webhooks": sum(n for key, n in hooks.items() if key in alert_ids),
            "emails doubled": sum(n - 1 for key, n in smtp.items() if key in alert_ids),
            "webhooks doubled": sum(n - 1 for key, n in hooks.items() if key in alert_ids),
        }


EVENTS, EVERY_S = 30, 0.1  # a three-second stream; the fault strikes a second into it


async def struck(system: System, ids: str, strike, events: int = EVENTS, delay: float = 1.0) -> tuple[Ledger, str]:
    """A city, then a stream of sanctions with the fault striking `delay` seconds in; every service ready again."""
    ledger = Ledger(system, ids)
    async with system.client() as http:
        await ledger.city(http)

        async def fault():
            await asyncio.sleep(delay)
            return await strike(system, ledger)

        _, said = await asyncio.gather(ledger.stream(http, events, EVERY_S), fault())
    for service in system.services.values():
        await asyncio.to_thread(service.wait_ready, 120)
    return ledger, said


def line(kind: str, ledger: Ledger, doubled: dict, said: str = "") -> str:
    return (
        f"{kind:<36} {len(ledger.accepted)} accepted ({ledger.refused} answers not 202, sent again), each once: obligation, alert, in talks;"
        f" e-mails {doubled['emails']} ({doubled['emails doubled']} doubled), webhooks {doubled['webhooks']} ({doubled['webhooks doubled']} doubled)"
        + (f"; {said}" if said else "")
    )
