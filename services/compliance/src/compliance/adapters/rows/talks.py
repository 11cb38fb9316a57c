"""Talks seen (metadata only), by participant, and what each counts towards (coverage credits)."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.domain.coverage import Credit
from compliance.domain.obligations import Talk
from compliance.domain.view import NotLoaded


class TalkRows:
    def __init__(self, complete: bool = False):
        self.complete = complete
        self._talks: dict[str, Talk] = {}
        self._of: dict[str, set[str]] = defaultdict(set)
        self._since: dict[str, datetime] = {}  # person -> their talks held since then are loaded
        self._new: list[Talk] = []
        self._credits: dict[str, tuple[datetime, tuple[Credit, ...]]] = {}

    def talks_of(self, person_id: str, since: datetime) -> Sequence[Talk]:
        if not self.complete and (person_id not in self._since or self._since[person_id] > since):
            raise NotLoaded("talks_of", (person_id, since))
        talks = (self._talks[i] for i in self._of.get(person_id, ()))
        return sorted((t for t in talks if t.held_at >= since), key=lambda t: (t.held_at, t.talk_id))

    @property
    def changed_count(self) -> int:
        return len(self._new)

    def save(self, talk: Talk) -> None:
        if talk.talk_id not in self._talks:  # as in the table: the first record of a talk id stays
            self._index(talk)
            self._new.append(talk)

    def save_credits(self, talk_id: str, held_at: datetime, credits: tuple[Credit, ...]) -> None:
        self._credits[talk_id] = (held_at, credits)

    def _index(self, talk: Talk) -> None:
        self._talks[talk.talk_id] = talk
        for person in talk.talker_ids | talk.talkee_ids:
            self._of[person].add(talk.talk_id)

    async def load(self, conn: AsyncConnection, since_of: dict[str, datetime]) -> None:
        """The talks each person took part in since the instant given for them."""
        wanted = {p: s for p, s in since_of.items() if p not in self._since or self._since[p] > s}
        if not wanted:
            return
        t, p = orm.talks_seen.c, orm.talk_participants.c
        stmt = (
            select(t.talk_id, t.held_at, t.mode, t.talker_ids, t.talkee_ids)
            .join(orm.talk_participants, p.talk_id == t.talk_id)
            .where(p.person_id.in_(list(wanted)), p.held_at >= min(wanted.values()))
            .distinct()
        )
        for r in await conn.execute(stmt):
            if r.talk_id not in self._talks:
                self._index(Talk(r.talk_id, r.held_at, r.mode, frozenset(r.talker_ids), frozenset(r.talkee_ids)))
        for person, since in wanted.items():
            self._since[person] = min(since, self._since.get(person, since))

    async def flush(self, conn: AsyncConnection) -> None:
        if self._new:
            rows = [
                {"talk_id": t.talk_id, "held_at": t.held_at, "mode": t.mode,
                 "talker_ids": sorted(t.talker_ids), "talkee_ids": sorted(t.talkee_ids)}
                for t in self._new
            ]  # fmt: skip
            await conn.execute(insert(orm.talks_seen).on_conflict_do_nothing(), rows)
            taking_part = [
                {"person_id": person, "held_at": t.held_at, "talk_id": t.talk_id}
                for t in self._new
                for person in sorted(t.talker_ids | t.talkee_ids)
            ]
            await conn.execute(insert(orm.talk_participants).on_conflict_do_nothing(), taking_part)
        if self._credits:
            c = orm.coverage_credits
            await conn.execute(c.delete().where(c.c.talk_id.in_(sorted(self._credits))))
            rows = [
                vars(credit) | {"talk_id": talk_id, "held_at": held_at}
                for talk_id, (held_at, credits) in sorted(self._credits.items())
                for credit in credits
            ]
            if rows:
                await conn.execute(insert(c).on_conflict_do_nothing(), rows)
