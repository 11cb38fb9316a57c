"""Obligations, indexed as the decisions ask for them (by subject, by the seats their
responsibility was read from, by case reference), and the retractions of cases."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import cache
from operator import attrgetter

from sqlalchemy import ARRAY, Select, bindparam, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import NullType

from compliance.adapters import orm
from compliance.adapters.rows.loaded import Loaded, Write, added, any_of, copied, each_of, each_since, keys_since
from compliance.domain.obligations import Obligation, Retraction
from compliance.domain.view import NotLoaded
from kernel.bulk import arrays, unnested

_FIELDS = [f.name for f in fields(Obligation)]
_RULES, _PATHS = _FIELDS.index("rules"), _FIELDS.index("paths")
_RETRACTION_FIELDS = [f.name for f in fields(Retraction)]
_values = attrgetter(*_FIELDS)  # every field in one call
_retraction_values = attrgetter(*_RETRACTION_FIELDS)


def to_record(ob: Obligation) -> tuple:
    """The row's values in the order of `_FIELDS`."""
    values = list(_values(ob))
    values[_RULES] = "/".join(ob.rules)
    values[_PATHS] = list(ob.paths)
    return tuple(values)


# What `from_row` reads, in its order; arrays as the driver hands them over (lists), unprocessed
# (sqlalchemy.ARRAY, which the table's column is: the dialect's ARRAY is a subclass of it, not the reverse).
COLUMNS = [type_coerce(c, NullType).label(c.name) if isinstance(c.type, ARRAY) else c for c in (orm.obligations.c[n] for n in _FIELDS)]


def from_row(row) -> Obligation:
    """A row selected with the columns of `_FIELDS`, in that order (a batch loads thousands)."""
    values = list(row)
    values[_RULES] = tuple(values[_RULES].split("/"))
    values[_PATHS] = tuple(values[_PATHS] or ())
    return Obligation(*values)


@cache
def _of_subjects(rule_id: str | None) -> Select:
    """Each subject's obligations open or closed since their instant (of one rule, or of all)."""
    o = orm.obligations.c

    def rows_of(w) -> Select:
        of_rule = [o.rule_id == rule_id] if rule_id is not None else []
        return select(*COLUMNS).where(o.subject_id == w.c.subject_id, or_(o.closed_at.is_(None), o.closed_at >= w.c.since), *of_rule)

    return each_since("subject_id", rows_of)


# Statements built once (kernel.bulk says why), their arrays given when run.
_BY_ID = select(*COLUMNS).where(any_of(orm.obligations.c.obligation_id, "ids"))
_OF_REFS = each_of("ref", lambda w: select(*COLUMNS).where(orm.obligations.c.trigger_ref == w.c.ref))
_RETRACTIONS = select(orm.retractions.c.ref, orm.retractions.c.person_id, orm.retractions.c.at, orm.retractions.c.event_id).where(
    any_of(orm.retractions.c.ref, "refs")
)
_THROUGH = select(*COLUMNS).where(
    orm.obligations.c.obligation_id.in_(select(orm.obligation_paths.c.obligation_id).where(any_of(orm.obligation_paths.c.key, "orgs"))),
    or_(orm.obligations.c.closed_at.is_(None), orm.obligations.c.closed_at >= bindparam("since")),
)


@cache
def _changed():
    """Obligations the table holds, updated whole."""
    stmt = unnested(orm.obligations, tuple(_FIELDS))
    changed = {c: stmt.excluded[c] for c in _FIELDS if c != "obligation_id"} | {"updated_at": func.now()}
    return stmt.on_conflict_do_update(index_elements=["obligation_id"], set_=changed)


class ObligationRows:
    def __init__(self, complete: bool = False):
        self.complete = complete
        self.ids_loaded = Loaded("obligation", complete)
        # (subject, rule or None for every rule) -> their open ones and those closed since then loaded
        self._subjects_since: dict[tuple[str, str | None], datetime] = {}
        self.refs_loaded = Loaded("obligations_by_ref", complete)
        self.retractions_loaded = Loaded("retractions", complete)
        self._through_since: dict[str, datetime] = {}  # org -> closed since then (and every open one) loaded
        self._obligations: dict[str, Obligation] = {}
        self._by_subject: dict[str, set[str]] = defaultdict(set)
        self._by_path: dict[str, set[str]] = defaultdict(set)
        self._by_ref: dict[str, set[str]] = defaultdict(set)
        self._retractions: dict[str, list[Retraction]] = defaultdict(list)
        self._dirty: set[str] = set()
        self._fresh: set[str] = set()  # where complete: those the table has never held
        self._stored_paths: dict[str, tuple[str, ...]] = {}  # as in obligation_paths, for those changed here
        self._new_retractions: list[Retraction] = []

    # reading ----------------------------------------------------------------------------------
    def obligation(self, obligation_id: str) -> Obligation | None:
        if obligation_id not in self._obligations:
            self.ids_loaded.need(obligation_id)
        return self._obligations.get(obligation_id)

    def obligations_of(self, subject_id: str, since: datetime, rule_id: str | None = None) -> Sequence[Obligation]:
        if not self.complete and not self._has_subject(subject_id, since, rule_id):
            raise NotLoaded("obligations_of", (subject_id, since, rule_id))
        found = self._sorted(self._by_subject.get(subject_id, ()))
        return [ob for ob in found if (ob.closed_at is None or ob.closed_at >= since) and rule_id in (None, ob.rule_id)]

    def _has_subject(self, subject_id: str, since: datetime, rule_id: str | None) -> bool:
        return any(
            (loaded := self._subjects_since.get((subject_id, rule))) is not None and loaded <= since
            for rule in {None, rule_id}
        )

    def obligations_through(self, org_id: str, since: datetime) -> Sequence[Obligation]:
        if not self.complete and (org_id not in self._through_since or self._through_since[org_id] > since):
            raise NotLoaded("obligations_through", (org_id, since))
        found = self._sorted(self._by_path.get(org_id, ()))
        return [ob for ob in found if ob.closed_at is None or ob.closed_at >= since]

    def obligations_by_ref(self, ref: str) -> Sequence[Obligation]:
        self.refs_loaded.need(ref)
        return self._sorted(self._by_ref.get(ref, ()))

    def retractions(self, ref: str) -> Sequence[Retraction]:
        self.retractions_loaded.need(ref)
        return self._retractions.get(ref, [])

    def loaded(self) -> list[Obligation]:
        return list(self._obligations.values())

    def _sorted(self, ids: Iterable[str]) -> list[Obligation]:
        return [self._obligations[i] for i in sorted(ids)]

    @property
    def changed_count(self) -> int:
        return len(self._dirty)

    # changing ---------------------------------------------------------------------------------
    def save(self, ob: Obligation) -> None:
        before = self._obligations.get(ob.obligation_id)
        if before is not None:
            for org in before.paths:
                self._by_path[org].discard(ob.obligation_id)
        elif self.complete:
            self._fresh.add(ob.obligation_id)
        self._stored_paths.setdefault(ob.obligation_id, before.paths if before is not None else ())
        self._index(ob)
        self._dirty.add(ob.obligation_id)

    def save_retraction(self, retraction: Retraction) -> None:
        if all(r.event_id != retraction.event_id for r in self._retractions[retraction.ref]):
            self._retractions[retraction.ref].append(retraction)
            self._new_retractions.append(retraction)

    def _index(self, ob: Obligation) -> None:
        self._obligations[ob.obligation_id] = ob
        self._by_subject[ob.subject_id].add(ob.obligation_id)
        for org in ob.paths:
            self._by_path[org].add(ob.obligation_id)
        if ob.trigger_ref is not None:
            self._by_ref[ob.trigger_ref].add(ob.obligation_id)

    def _keep(self, rows) -> None:
        for row in rows:
            if row.obligation_id not in self._obligations:  # the in-memory one holds this transaction's changes
                self._index(from_row(row))

    # loading ----------------------------------------------------------------------------------
    async def load_ids(self, conn: AsyncConnection, ids: Iterable[str]) -> None:
        missing = [i for i in self.ids_loaded.missing(ids) if i not in self._obligations]
        if missing:
            self._keep(await conn.execute(_BY_ID, {"ids": missing}))
        self.ids_loaded.add(missing)

    async def load_subjects(self, conn: AsyncConnection, wanted: dict[tuple[str, str | None], datetime]) -> None:
        """The subjects' open obligations (of one rule, or of all when the rule is None), and those
        closed since the time given: not their whole history."""
        missing = {key: s for key, s in wanted.items() if not self._has_subject(key[0], s, key[1])}
        for rule in sorted({rule for _, rule in missing}, key=str):
            # each subject from their own instant: one member joining reads back to the epoch, and
            # must not pull the closed history of everyone else in the batch
            instants = {person: s for (person, r), s in missing.items() if r == rule}
            self._keep(await conn.execute(_of_subjects(rule), keys_since(instants)))
        for key, since in missing.items():
            self._subjects_since[key] = min(since, self._subjects_since.get(key, since))

    async def load_through(self, conn: AsyncConnection, wanted: dict[str, datetime]) -> None:
        """Open obligations read through these organisations' seats, and those closed since the time given."""
        missing = {o: s for o, s in wanted.items() if o not in self._through_since or self._through_since[o] > s}
        if not missing:
            return
        self._keep(await conn.execute(_THROUGH, {"orgs": list(missing), "since": min(missing.values())}))
        for org, s in missing.items():
            self._through_since[org] = min(s, self._through_since.get(org, s))

    async def load_refs(self, conn: AsyncConnection, refs: Iterable[str]) -> None:
        """Every obligation a case reference opened, and its retractions: what a retraction decides on."""
        missing = self.refs_loaded.missing(refs)
        if not missing:
            return
        self._keep(await conn.execute(_OF_REFS, {"keys": missing}))
        await self.load_retractions(conn, missing)
        self.refs_loaded.add(missing)

    async def load_retractions(self, conn: AsyncConnection, refs: Iterable[str]) -> None:
        """The retractions of these case references: what settling an obligation reads of its own.
        Not the other obligations of the reference: loading those for every obligation a batch had
        loaded read them all back a second time (a fifth of a sanction batch's time once each member
        had a few)."""
        missing = self.retractions_loaded.missing(refs)
        if not missing:
            return
        for row in await conn.execute(_RETRACTIONS, {"refs": missing}):
            if all(x.event_id != row.event_id for x in self._retractions[row.ref]):
                self._retractions[row.ref].append(Retraction(row.ref, row.person_id, row.at, row.event_id))
        self.retractions_loaded.add(missing)

    # writing back -----------------------------------------------------------------------------
    def flushed(self) -> None:
        """What was changed is now what the table holds."""
        self._dirty, self._fresh, self._stored_paths, self._new_retractions = set(), set(), {}, []

    def writes(self) -> Write:
        """What is changed, to be written by the function returned."""
        dirty = sorted(self._dirty)
        fresh = [to_record(self._obligations[i]) for i in dirty if i in self._fresh]
        changed_ones = [dict(zip(_FIELDS, to_record(self._obligations[i]), strict=True)) for i in dirty if i not in self._fresh]
        gone, new = [], []  # the paths' difference
        for ob_id in dirty:
            before, after = set(self._stored_paths.get(ob_id, ())), set(self._obligations[ob_id].paths)
            gone += [{"k": key, "o": ob_id} for key in sorted(before - after)]
            new += [(key, ob_id) for key in sorted(after - before)]
        retractions = [_retraction_values(r) for r in self._new_retractions]
        complete = self.complete

        async def write(conn: AsyncConnection) -> None:
            await copied(conn, orm.obligations, _FIELDS, fresh)
            if changed_ones:
                await conn.execute(_changed(), arrays(orm.obligations, changed_ones))
            if gone:
                p = orm.obligation_paths
                await conn.execute(p.delete().where(p.c.key == bindparam("k"), p.c.obligation_id == bindparam("o")), gone)
            await added(conn, orm.obligation_paths, ["key", "obligation_id"], new, none_there=complete)  # where complete, the stored paths are all the table holds
            await added(conn, orm.retractions, _RETRACTION_FIELDS, retractions, none_there=False)

        return write
