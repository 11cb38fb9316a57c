"""A small city and a year of its events, generated as the registry and the other systems would
send them, for the order-independence property (SPEC §6): every event carries the Kafka key it is
published under, so interleavings can keep each key's own order."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from talk_contracts import event_type, parse_event

YEAR_START = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 31)


@dataclass
class _Registry:
    """Just enough of the registry's state to send what it sends (its own events, in its order)."""

    parent: dict[str, str | None]
    branches: list[str]
    orgs: list[str]
    active: dict[str, str] = field(default_factory=dict)  # person -> org
    left: set[str] = field(default_factory=set)
    seats: dict[tuple[str, str], str] = field(default_factory=dict)  # (org, person) -> role

    def secretary_of(self, org: str) -> str | None:
        return next((p for (o, p), r in self.seats.items() if o == org and r == "secretary"), None)

    def committee(self) -> list[tuple[str, str]]:
        return sorted(self.seats)

    def chain(self, org: str | None) -> list[str]:
        out = []
        while org is not None:
            out.append(org)
            org = self.parent[org]
        return out


def city_year(seed: int, n_events: int) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    clock = [YEAR_START]

    def emit(type_name: str, data: dict, at: datetime | None = None) -> None:
        at = at or clock[0]
        out.append({"specversion": "1.0", "id": f"e{len(out)}", "source": "urn:prop", "type": type_name,
                    "time": at.isoformat(), "data": data})  # fmt: skip

    parent: dict[str, str | None] = {"root": None}
    mids = [f"m{i}" for i in range(rng.randint(1, 2))]
    branches = []
    for mid in mids:
        parent[mid] = "root"
        for b in range(rng.randint(1, 2)):
            parent[f"{mid}b{b}"] = mid
            branches.append(f"{mid}b{b}")
    reg = _Registry(parent, branches, list(parent))
    for org in reg.orgs:
        kind = "city_committee" if org == "root" else "party_committee" if org in mids else "branch"
        emit("org.registered.v1", {"org_id": org, "name": org, "kind": kind, "parent_id": parent[org]})
    people = [f"p{i}" for i in range(rng.randint(7, 11))]
    for i, person in enumerate(people):
        org = reg.orgs[i] if i < len(reg.orgs) else rng.choice(branches)
        reg.active[person] = org
        emit("member.joined.v1", {"person_id": person, "name": person, "org_id": org, "status": "full"})
    for org in reg.orgs:  # a secretary for most organisations, from among their members
        members = [p for p, o in reg.active.items() if o == org]
        if members and rng.random() < 0.85:
            reg.seats[(org, members[0])] = "secretary"
            emit("role.assigned.v1", {"org_id": org, "person_id": members[0], "role": "secretary"})

    def end_seat(org: str, person: str) -> None:
        emit("role.ended.v1", {"org_id": org, "person_id": person, "role": reg.seats.pop((org, person))})

    cases = 0
    for _ in range(n_events):
        clock[0] += timedelta(hours=rng.randint(1, 24 * 20))
        active = sorted(reg.active)
        kind = rng.choice(["trigger"] * 5 + ["talk"] * 5 + ["role"] * 3 + ["transfer", "leave", "rejoin", "retract", "meeting", "c_rule", "request"])
        person = rng.choice(active) if active else None
        if kind == "trigger" and person:
            cases += 1
            emit(*rng.choice([
                ("discipline.action_recorded.v1", {"person_id": person, "case_ref": f"c{cases}", "action": "criticism"}),
                ("discipline.adverse_report_received.v1", {"person_id": person, "case_ref": f"c{cases}"}),
                ("welfare.hardship_reported.v1", {"person_id": person, "kind": "life"}),
                ("honours.commendation_awarded.v1", {"person_id": person, "title": "t"}),
                ("conduct.observation_recorded.v1", {"person_id": person, "kind": "gambling"}),
            ]))  # fmt: skip
        elif kind == "c_rule" and reg.seats:
            org, holder = rng.choice(reg.committee())
            if rng.random() < 0.5:
                emit("conduct.observation_recorded.v1", {"person_id": holder, "kind": "low_spirit"})
            else:
                emit("cadre.promoted.v1", {"person_id": holder, "kind": "promotion", "effective_date": clock[0].date().isoformat()})
        elif kind == "talk" and person:
            talkers = [p for (o, p) in reg.committee() if p != person] or [rng.choice(people)]
            talker = rng.choice(talkers)
            if talker == person:
                continue
            held = clock[0] - timedelta(hours=rng.randint(0, 72))  # recorded a little after it was held
            talkees = [person] if rng.random() < 0.8 else sorted({person, rng.choice(people)} - {talker})
            mode = "one_to_one" if len(talkees) == 1 else "one_to_many"
            emit("talk.recorded.v1", {"talk_id": f"t{len(out)}", "held_at": held.isoformat(), "mode": mode, "kind": "regular",
                                      "talker_ids": [talker], "talkee_ids": talkees})  # fmt: skip
        elif kind == "role" and person:
            org = reg.active[person] if rng.random() < 0.7 else rng.choice(reg.chain(reg.active[person]))
            if (org, person) in reg.seats and rng.random() < 0.6:
                end_seat(org, person)
            elif (org, person) not in reg.seats:
                role = rng.choice(["secretary", "committee_member", "deputy_secretary"])
                if role == "secretary" and (old := reg.secretary_of(org)):
                    end_seat(org, old)  # the registry publishes the end of the displaced secretary's term
                reg.seats[(org, person)] = role
                emit("role.assigned.v1", {"org_id": org, "person_id": person, "role": role})
        elif kind == "transfer" and person:
            to = rng.choice(branches)
            if to != reg.active[person]:
                emit("member.transferred.v1", {"person_id": person, "from_org_id": reg.active[person], "to_org_id": to})
                reg.active[person] = to
        elif kind == "leave" and person and len(active) > 4:
            emit("member.left.v1", {"person_id": person, "reason": rng.choice(["deceased", "withdrew", "expelled"])})
            for org, holder in reg.committee():
                if holder == person:
                    end_seat(org, person)
            del reg.active[person]
            reg.left.add(person)
        elif kind == "rejoin" and reg.left:
            back = rng.choice(sorted(reg.left))
            reg.left.discard(back)
            reg.active[back] = rng.choice(branches)
            emit("member.joined.v1", {"person_id": back, "name": back, "org_id": reg.active[back], "status": "full"})
        elif kind == "retract" and cases:
            ref = f"c{rng.randint(1, cases)}"
            owner = next((e["data"]["person_id"] for e in out if e["data"].get("case_ref") == ref), None)
            if owner:
                emit("discipline.action_retracted.v1", {"person_id": owner, "case_ref": ref})
        elif kind == "meeting":
            org = rng.choice(reg.orgs)
            emit("meeting.scheduled.v1", {"meeting_id": f"mt{len(out)}", "org_id": org, "date": (clock[0] + timedelta(days=30)).date().isoformat(), "kind": "mid_year"})
        elif kind == "request" and person:
            leaders = [p for (o, p) in reg.committee() if o in reg.chain(reg.active[person]) and p != person]
            if leaders:
                emit("talk.requested.v1", {"request_id": f"r{len(out)}", "person_id": person, "leader_id": rng.choice(leaders)})
    return out


def key_of(raw: dict) -> str:
    parsed = parse_event(raw)
    return f"{event_type(raw['type']).topic}/{parsed.key}"


def interleave(events: list[dict], rng: random.Random) -> list[dict]:
    """A random interleaving that keeps each key's own order (what Kafka guarantees)."""
    queues: dict[str, list[dict]] = {}
    for e in events:
        queues.setdefault(key_of(e), []).append(e)
    order = [k for k, q in queues.items() for _ in q]
    rng.shuffle(order)
    return [queues[k].pop(0) for k in order]
