"""A synthetic city's year of events (seeded, reproducible), for benchmarks and load tests.

county → party committees → general branches → branches of 10–60 members, with secretaries and
committees; then a year of events in the mix of SPEC §9: talks the most frequent, then attendance,
dues, role changes, transfers, observations, discipline and cadre changes.
"""

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from talk_contracts import event_type

SIZES = {
    # name: (organisations, members, events in the year after the registry's)
    "small": (30, 600, 6_000),
    "county": (300, 10_000, 250_000),
    "city": (10_000, 200_000, 5_000_000),
}


COMMITTEE_SIZE = 5


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    type: str


def _message(type_name: str, data: dict, at: datetime, rng: random.Random) -> Message:
    kind = event_type(type_name)
    event = {
        "specversion": "1.0", "id": str(uuid.UUID(int=rng.getrandbits(128))), "source": "urn:bench",
        "type": type_name, "time": at.isoformat(), "data": data,
    }  # fmt: skip
    return Message(kind.topic.value, str(data[kind.key_field]).encode(), json.dumps(event, ensure_ascii=False).encode(), type_name)


@dataclass(frozen=True)
class Org:
    org_id: str
    kind: str
    parent_id: str | None


def org_tree(rng: random.Random, n_orgs: int) -> list[Org]:
    """A county → party committees → (general branches →) branches tree of about `n_orgs`."""
    orgs = [Org("o0", "working_committee", None)]
    committees = [f"o{i}" for i in range(1, max(2, n_orgs // 25))]
    orgs += [Org(c, "party_committee", "o0") for c in committees]
    while len(orgs) < n_orgs:
        parent = rng.choice(committees)
        if rng.random() < 0.15:
            general = Org(f"o{len(orgs)}", "general_branch", parent)
            orgs.append(general)
            parent = general.org_id
        orgs.append(Org(f"o{len(orgs)}", "branch", parent))
    return orgs


@dataclass(frozen=True)
class CityLog:
    setup: list[Message]  # the registry as the year starts: organisations, members, secretaries
    year: list[Message]  # the year's events, in time order
    root: str  # the top organisation
    members: list[str]
    ordinary: list[str]  # members holding no secretary seat: an alert about them goes to a secretary

    @property
    def all(self) -> list[Message]:
        return self.setup + self.year


def generate(size: str, year: int = 2026, seed: int = 11) -> CityLog:
    n_orgs, n_members, n_events = SIZES[size]
    rng = random.Random(seed)
    start = datetime(year, 1, 1, 8, tzinfo=UTC)
    out: list[Message] = []
    orgs = org_tree(rng, n_orgs)
    branches = [o.org_id for o in orgs if o.kind == "branch"]
    for o in orgs:
        out.append(_message("org.registered.v1", {"org_id": o.org_id, "name": o.org_id, "kind": o.kind, "parent_id": o.parent_id}, start, rng))
    members: list[tuple[str, str]] = []
    secretaries: dict[str, str] = {}
    for org_id in (o.org_id for o in orgs):
        pid = f"p{len(members)}"
        members.append((pid, org_id))
        secretaries[org_id] = pid
    while len(members) < n_members:
        members.append((f"p{len(members)}", rng.choice(branches)))
    for pid, org_id in members:
        out.append(_message("member.joined.v1", {"person_id": pid, "name": pid, "org_id": org_id, "status": "full"}, start, rng))
    for org_id, pid in secretaries.items():
        out.append(_message("role.assigned.v1", {"org_id": org_id, "person_id": pid, "role": "secretary"}, start, rng))
    setup, out = out, []
    ordinary = [m for m in members if secretaries.get(m[1]) != m[0]]
    committees: dict[str, list[str]] = {}
    year_seconds = 360 * 86400
    mix = [("talk", 45), ("attendance", 25), ("dues", 8), ("role", 4), ("transfer", 3), ("observation", 6), ("discipline", 4), ("cadre", 2), ("hardship", 3)]
    kinds = [k for k, w in mix for _ in range(w)]
    org_of = dict(ordinary)  # where each ordinary member is now (transfers move them)
    for i in range(n_events):
        at = start + timedelta(seconds=3600 + year_seconds * i / n_events)
        pid, _ = rng.choice(ordinary)
        org_id = org_of[pid]
        kind = rng.choice(kinds)
        seated = pid in committees.get(org_id, ())
        if kind == "talk":
            talker = secretaries[org_id]
            data = {"talk_id": f"t{i}", "held_at": at.isoformat(), "mode": "one_to_one", "kind": "regular",
                    "talker_ids": [talker], "talkee_ids": [pid], "rule_ids": ["COV-MEMBER"], "confidential": False}  # fmt: skip
            out.append(_message("talk.recorded.v1", data, at, rng))
        elif kind == "attendance":
            out.append(_message("conduct.attendance_recorded.v1", {"person_id": pid, "org_id": org_id, "meeting_date": at.date().isoformat(), "present": rng.random() < 0.8}, at, rng))
        elif kind == "dues":
            out.append(_message("dues.arrears_recorded.v1", {"person_id": pid, "months": rng.choice((1, 2, 3, 4))}, at, rng))
        elif kind == "role":  # committees of up to five: a newcomer takes the seat of the longest serving
            seats = committees.setdefault(org_id, [])
            if pid in seats:
                continue
            if len(seats) >= COMMITTEE_SIZE:
                role = {"org_id": org_id, "person_id": seats.pop(0), "role": "committee_member"}
                out.append(_message("role.ended.v1", role, at, rng))
            seats.append(pid)
            out.append(_message("role.assigned.v1", {"org_id": org_id, "person_id": pid, "role": "committee_member"}, at, rng))
        elif kind == "transfer":
            to = rng.choice(branches)
            if to != org_id and not seated:  # a committee member keeps their seat where it is
                out.append(_message("member.transferred.v1", {"person_id": pid, "from_org_id": org_id, "to_org_id": to}, at, rng))
                org_of[pid] = to
        elif kind == "observation":  # C7 is about committee members only (SPEC §3.2): the registry refuses it otherwise
            kinds_for = ("vanguard_lacking", "low_spirit", "gambling") if seated else ("vanguard_lacking", "weak_org_concept", "gambling")
            out.append(_message("conduct.observation_recorded.v1", {"person_id": pid, "kind": rng.choice(kinds_for)}, at, rng))
        elif kind == "discipline":
            out.append(_message("discipline.action_recorded.v1", {"person_id": pid, "case_ref": f"c{i}", "action": "criticism"}, at, rng))
        elif kind == "cadre":  # C2: about a committee member (their branch's secretary when they hold no seat)
            listed = pid if seated else secretaries[org_id]
            out.append(_message("cadre.promoted.v1", {"person_id": listed, "kind": "reserve_listed", "effective_date": (at + timedelta(hours=8)).date().isoformat()}, at, rng))  # its date in Beijing
        else:
            out.append(_message("welfare.hardship_reported.v1", {"person_id": pid, "kind": "life"}, at, rng))
    return CityLog(setup, out, orgs[0].org_id, [pid for pid, _ in members], [pid for pid, _ in ordinary])


def chosen_size(argv: list[str], default: str, usage: str) -> str | None:
    """The city size a command was given (its first argument), or None after printing `usage`
    with the sizes there are."""
    size = argv[0] if argv else default
    if size not in SIZES:
        print(usage.format(sizes="|".join(SIZES)))
        return None
    return size
