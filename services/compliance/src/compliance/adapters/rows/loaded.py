"""Which keys a store holds completely."""

from collections.abc import Hashable, Iterable

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from compliance.domain.view import NotLoaded


def among(column, values: Iterable):
    """`column IN (values)` as one array parameter (`= ANY`): a batch asks for thousands of ids, and
    an IN list of thousands costs more to render than the query costs to run."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


class Loaded:
    def __init__(self, kind: str, complete: bool):
        self.kind, self.complete = kind, complete
        self._keys: set[Hashable] = set()

    def need(self, key: Hashable) -> None:
        if not self.complete and key not in self._keys:
            raise NotLoaded(self.kind, key)

    def has(self, key: Hashable) -> bool:
        return self.complete or key in self._keys

    def missing(self, keys: Iterable[Hashable]) -> list:
        return [] if self.complete else [k for k in dict.fromkeys(keys) if k not in self._keys]

    def add(self, keys: Iterable[Hashable]) -> None:
        self._keys.update(keys)
