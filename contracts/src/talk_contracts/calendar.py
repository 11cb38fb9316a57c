"""(v2) The calendar every service shares (SPEC, "Calendar"): every date the rules use is a date in
the deployment's time zone (`TIME_ZONE`, default Asia/Shanghai), whatever offset a timestamp was
sent with. A talk at 01:00 on 1 January in Beijing, sent as 17:00Z on 31 December, was held on
1 January. Pure functions; the zone is passed in."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def zone(name: str) -> ZoneInfo:
    """The zone called `name`, or a ValueError saying what is wrong (a setting a person typed)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"TIME_ZONE: {name!r} is not a time zone (e.g. Asia/Shanghai): {exc}") from None


@lru_cache(maxsize=1 << 16)  # the projection asks of the same instants over and over
def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The date `instant` falls on in the zone. A timestamp without an offset has no date."""
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no offset: which day it was is unknown")
    return instant.astimezone(tz).date()


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """00:00 of `day` in the zone: when changes that depend on dates happen."""
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def end_of(day: date, tz: ZoneInfo) -> datetime:
    """00:00 of the next day in the zone: the first instant after `day`."""
    return start_of(day + timedelta(days=1), tz)


def year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants [start, end) of a calendar year in the zone (the coverage year, a dossier's year)."""
    return start_of(date(year, 1, 1), tz), start_of(date(year + 1, 1, 1), tz)


def today(now: datetime, tz: ZoneInfo) -> date:
    return local_date(now, tz)
