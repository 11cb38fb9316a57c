"""Notify's repositories over PostgreSQL: the ports of notify/application/ports.py, in SQL.

Each works in the session its unit of work gives it (notify/adapters/unit_of_work.py) and never
begins or commits a transaction itself.
"""

from typing import Any, TypeVar

from pydantic import BaseModel

R = TypeVar("R", bound=BaseModel)


def record(cls: type[R], row: Any) -> R:
    """A row as the port's record: the columns the record names, by name (others are left out)."""
    return cls.model_validate(dict(row._mapping))
