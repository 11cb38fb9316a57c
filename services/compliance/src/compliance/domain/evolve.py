"""A changed copy of one of the domain's frozen values, as `dataclasses.replace` makes it, at a
fifth of its cost: settling an obligation copies it and its periods a dozen times, and `replace`
(which rebuilds its arguments from the class's fields and runs `__init__` again) was 7 % of a
replay's time under pyinstrument (the county's first 40,000 events, batches of 2,000).

Only for dataclasses whose `__init__` does nothing but set the fields: none of the domain's has an
`__init__` or `__post_init__` of its own, and tests/unit/test_evolve.py keeps it so."""

from dataclasses import fields
from functools import cache
from typing import TypeVar

T = TypeVar("T")


@cache
def _names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def evolve(value: T, **changes) -> T:
    if unknown := changes.keys() - _names(type(value)):
        raise TypeError(f"{type(value).__name__} has no field {', '.join(sorted(unknown))}")
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)  # past the frozen __setattr__, as __init__ itself goes
    return copy
