"""A year's obligations counted by what they came to, per rule and organisation (domain.outcomes),
in whichever schema the engine reads (the live projection, or a what-if's scratch one)."""

from datetime import date

from sqlalchemy import Date, and_, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.domain.obligations import NOT_OPENED
from compliance.domain.outcomes import PerOrg
from compliance.domain.policy import Policy


async def obligation_outcomes(conn: AsyncConnection, year: int, policy: Policy) -> PerOrg:
    """Obligations triggered in `year` (their trigger's date), each counted once per measure it meets."""
    o = orm.obligations.c
    opened = ~((o.status == "cancelled") & o.reason.in_(sorted(NOT_OPENED)))
    closed_on = cast(func.timezone(policy.time_zone, o.closed_at), Date)
    escalation_day = o.due_date + literal(policy.escalate_after_days)
    measures = {
        "opened": opened,
        "fulfilled_on_time": o.status == "fulfilled",
        "fulfilled_late": o.status == "fulfilled_late",
        "open_late": o.status.in_(["overdue", "escalated"]),
        "late": o.status.in_(["fulfilled_late", "overdue", "escalated"]),
        # reached its escalation date while open: escalated now, or closed on or after that date
        "escalated": opened & or_(o.status == "escalated", and_(o.closed_at.is_not(None), closed_on >= escalation_day)),
        "cancelled": opened & (o.status == "cancelled"),
        "waived": o.status == "waived",
    }
    columns = [func.count().filter(condition).label(name) for name, condition in measures.items()]
    query = (
        select(o.org_id, o.rule_id, *columns)
        .where(o.trigger_date >= date(year, 1, 1), o.trigger_date < date(year + 1, 1, 1))
        .group_by(o.org_id, o.rule_id)
    )
    found: dict[str, dict[str, dict[str, int]]] = {}
    for row in (await conn.execute(query)).mappings():
        found.setdefault(row["org_id"], {})[row["rule_id"]] = {name: row[name] for name in measures}
    return found


async def org_tree(conn: AsyncConnection) -> list[tuple[str, str | None, str]]:
    """(organisation, parent, name) of every organisation."""
    g = orm.orgs.c
    return [tuple(r) for r in await conn.execute(select(g.org_id, g.parent_id, g.name).order_by(g.org_id))]


