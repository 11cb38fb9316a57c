"""A small demo city: a county, a party committee, two branches and a dozen members with their
secretaries and committees. Used by `make run` and by the end-to-end tests."""

import uuid
from datetime import UTC, datetime

SOURCE = "urn:talk-compliance:demo-registry"

# The development credential of `make run` (and the tests): allowed every family the edge accepts.
# Production settings have none; see REGISTRY_CREDENTIALS in README.
DEV_TOKEN = "dev-token-all-families"
DEV_CREDENTIALS = {DEV_TOKEN: {"system": "development", "families": ["registry", "cadre", "discipline", "conduct"]}}

ORGS = [
    ("county", "龙江县委", "working_committee", None),
    ("town", "城关镇党委", "party_committee", "county"),
    ("branch-1", "城关镇第一党支部", "branch", "town"),
    ("branch-2", "城关镇第二党支部", "branch", "town"),
]
PEOPLE = [
    ("p-county-sec", "陈建国", "county"),
    ("p-town-sec", "林志强", "town"),
    ("p-town-cm", "黄丽华", "town"),
    ("p-b1-sec", "王海燕", "branch-1"),
    ("p-b1-cm", "张伟", "branch-1"),
    ("p-b1-m1", "李明", "branch-1"),
    ("p-b1-m2", "刘洋", "branch-1"),
    ("p-b1-m3", "赵敏", "branch-1"),
    ("p-b2-sec", "吴静", "branch-2"),
    ("p-b2-cm", "郑磊", "branch-2"),
    ("p-b2-m1", "周婷", "branch-2"),
    ("p-b2-m2", "孙强", "branch-2"),
]
ROLES = [
    ("county", "p-county-sec", "secretary"),
    ("town", "p-town-sec", "secretary"),
    ("town", "p-town-cm", "committee_member"),
    ("branch-1", "p-b1-sec", "secretary"),
    ("branch-1", "p-b1-cm", "committee_member"),
    ("branch-2", "p-b2-sec", "secretary"),
    ("branch-2", "p-b2-cm", "deputy_secretary"),
]


def _event(type_name: str, data: dict, subject: str, time: datetime, event_id: str | None = None) -> dict:
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": SOURCE,
        "type": type_name,
        "time": time.isoformat(),
        "subject": subject,
        "data": data,
    }


def demo_city_events(prefix: str = "", year: int | None = None) -> list[dict]:
    """The registry events that build the demo city; `prefix` makes every id unique (tests)."""
    since = datetime(year or datetime.now(UTC).year, 1, 1, 9, 0, tzinfo=UTC)
    p = prefix
    events = [
        _event("org.registered.v1", {"org_id": p + oid, "name": name, "kind": kind, "parent_id": parent and p + parent}, p + oid, since)
        for oid, name, kind, parent in ORGS
    ]
    events += [
        _event(
            "member.joined.v1",
            {"person_id": p + pid, "name": name, "org_id": p + org, "status": "full", "email": f"{p}{pid}@example.org", "phone": demo_phone(n)},
            p + pid,
            since,
        )
        for n, (pid, name, org) in enumerate(PEOPLE)
    ]
    events += [
        _event("role.assigned.v1", {"org_id": p + org, "person_id": p + pid, "role": role}, p + org, since)
        for org, pid, role in ROLES
    ]
    return events


def demo_phone(n: int) -> str:
    """The n-th demo member's mobile number (a reserved-looking 139 0000 range)."""
    return f"1390000{n:04d}"


def sanction_event(person_id: str, time: datetime | None = None, case_ref: str = "JJ-2026-001") -> dict:
    return _event(
        "discipline.action_recorded.v1",
        {"person_id": person_id, "case_ref": case_ref, "action": "sanction", "sanction": "warning"},
        person_id,
        time or datetime.now(UTC),
    )


def demo_personas():
    """Whom the development issuer's sign-in page offers: the demo city's people, an operator of the
    county and an auditor."""
    from devstack.issuer import Persona

    return [
        Persona("op-county", "县委组织部（operator）", ("operator",), ("county",)),
        Persona("auditor-1", "审计（auditor）", ("auditor",), ("county",)),
        *(Persona(pid, name) for pid, name, _ in PEOPLE),
    ]
