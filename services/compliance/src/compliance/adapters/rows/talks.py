"""Talks seen (metadata only), by participant, and what each counts towards (coverage credits)."""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import NullType

from compliance.adapters import orm
from compliance.adapters.rows.loaded import added, among, any_of, each_since, keys_since
from compliance.domain.coverage import Credit
from compliance.domain.obligations import Talk
from compliance.domain.view import NotLoaded

CreditKey = tuple[str, str, str, int]  # (rule, person, org, year): whose coverage a credit counts in, and where


def _held(talk: Talk) -> tuple:
    return talk.held_at, talk.talk_id


# Statements built once (kernel.bulk says why), their arrays given when run.
_t, _p = orm.talks_seen.c, orm.talk_participants.c
_BY_ID = select(_t.talk_id, _t.held_at, _t.mode, type_coerce(_t.talker_ids, NullType), type_coerce(_t.talkee_ids, NullType)).where(
    any_of(_t.talk_id, "ids")
)
# Each person from their own instant: a secretary talks with hundreds a year, and the oldest
# obligation in a batch must not pull the whole city's year of talks. Two index lookups (who took
# part when, then those talks by id): one join would hash the whole year's talks.
_TAKING_PART = each_since("person_id", lambda w: select(_p.talk_id).where(_p.person_id == w.c.person_id, _p.held_at >= w.c.since))


class TalkRows:
    def __init__(self, complete: bool = False):
        self.complete = complete
        self._talks: dict[str, Talk] = {}
        self._of: dict[str, list[Talk]] = defaultdict(list)
        self._since: dict[str, datetime] = {}  # person -> their talks held since then are loaded
        self._new: list[Talk] = []
        self._unsorted: set[str] = set()
        self._credits: dict[str, tuple[datetime, tuple[Credit, ...]]] = {}
        self._recounted: set[str] = set()

    def talks_of(self, person_id: str, since: datetime) -> Sequence[Talk]:
        if not self.complete and (person_id not in self._since or self._since[person_id] > since):
            raise NotLoaded("talks_of", (person_id, since))
        mine = self._of.get(person_id, [])  # in the order they were held: a secretary has hundreds a year
        if person_id in self._unsorted:
            mine.sort(key=_held)
            self._unsorted.discard(person_id)
        return mine[bisect_left(mine, since, key=lambda t: t.held_at) :]

    def talk(self, talk_id: str) -> Talk | None:
        if talk_id not in self._talks and not self.complete:
            raise NotLoaded("talk", talk_id)
        return self._talks.get(talk_id)

    async def load_ids(self, conn: AsyncConnection, talk_ids: Iterable[str]) -> None:
        missing = [i for i in dict.fromkeys(talk_ids) if i not in self._talks]
        if not missing:
            return
        for talk_id, held_at, mode, talkers, talkees in await conn.execute(_BY_ID, {"ids": missing}):
            self._index(Talk(talk_id, held_at, mode, frozenset(talkers), frozenset(talkees)))

    def participants(self) -> set[str]:
        """Everyone who took part in a talk loaded here."""
        return {p for t in self._talks.values() for p in t.talker_ids | t.talkee_ids}

    @property
    def changed_count(self) -> int:
        return len(self._new)

    def save(self, talk: Talk) -> None:
        if talk.talk_id not in self._talks:  # as in the table: the first record of a talk id stays
            self._index(talk)
            self._new.append(talk)

    def save_credits(self, talk_id: str, held_at: datetime, credits: tuple[Credit, ...]) -> None:
        self._credits[talk_id] = (held_at, credits)
        self._recounted.add(talk_id)  # its credits replace any it had (a talk new here had none)

    def _index(self, talk: Talk) -> None:
        self._talks[talk.talk_id] = talk
        for person in talk.talker_ids | talk.talkee_ids:
            mine = self._of[person]
            if mine and _held(talk) < _held(mine[-1]):
                self._unsorted.add(person)  # sorted when next asked: a batch loads thousands at once
            mine.append(talk)  # a replay's talks come in the order they were held: its lists stay sorted

    async def load(self, conn: AsyncConnection, since_of: dict[str, datetime]) -> None:
        """The talks each person took part in since the instant given for them."""
        wanted = {p: s for p, s in since_of.items() if p not in self._since or self._since[p] > s}
        if not wanted:
            return
        await self.load_ids(conn, set((await conn.execute(_TAKING_PART, keys_since(wanted))).scalars()))
        for person, since in wanted.items():
            self._since[person] = min(since, self._since.get(person, since))

    def flushed(self) -> None:
        """What was changed is now what the tables hold."""
        self._new, self._credits, self._recounted = [], {}, set()

    def writes(self) -> Callable[[AsyncConnection], Awaitable[set[CreditKey]]]:
        """What is changed, to be written by the function returned, which returns the (rule, person,
        org, year) of the credits it wrote or dropped: whose coverage to count again."""
        talks = [(t.talk_id, t.held_at, t.mode, sorted(t.talker_ids), sorted(t.talkee_ids)) for t in self._new]
        taking_part = [(person, t.held_at, t.talk_id) for t in self._new for person in sorted(t.talker_ids | t.talkee_ids)]
        recounted = sorted(self._recounted - {t.talk_id for t in self._new}) if self._credits else []
        # One row per key: the key's first credit stays, as ON CONFLICT DO NOTHING keeps it.
        rows = {
            (talk_id, credit.rule_id, credit.person_id, credit.counterpart_id): (credit.org_id, credit.year, held_at)
            for talk_id, (held_at, credits) in sorted(self._credits.items())
            for credit in reversed(credits)
        }
        credited = {(rule, person, org, year) for (_, rule, person, _), (org, year, _) in rows.items()}
        complete = self.complete

        async def write(conn: AsyncConnection) -> set[CreditKey]:
            # Where complete, what is not in memory is not in the table: these talks are new to it.
            await added(conn, orm.talks_seen, _TALK_COLUMNS, talks, none_there=complete)
            await added(conn, orm.talk_participants, _PARTICIPANT_COLUMNS, taking_part, none_there=complete)
            c = orm.coverage_credits
            dropped = set()
            if recounted:
                dropped = {tuple(r) for r in await conn.execute(c.delete().where(among(c.c.talk_id, recounted)).returning(c.c.rule_id, c.c.person_id, c.c.org_id, c.c.year))}
            # Where complete, none of these talks' credits is in the table: new ones, or dropped just now.
            await added(conn, c, _CREDIT_COLUMNS, [key + rest for key, rest in rows.items()], none_there=complete)
            return credited | dropped

        return write


_TALK_COLUMNS = ["talk_id", "held_at", "mode", "talker_ids", "talkee_ids"]
_PARTICIPANT_COLUMNS = ["person_id", "held_at", "talk_id"]
_CREDIT_COLUMNS = ["talk_id", "rule_id", "person_id", "counterpart_id", "org_id", "year", "held_at"]
