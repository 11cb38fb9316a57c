"""evolve copies a domain value as dataclasses.replace does, and may: no dataclass of the domain
runs anything of its own when made."""

import dataclasses
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime

import pytest

import compliance.domain
from compliance.domain.evolve import evolve
from compliance.domain.history import Person, Stretch
from compliance.domain.obligations import Obligation

pytestmark = pytest.mark.unit


def _domain_dataclasses() -> list[type]:
    found = []
    for module in pkgutil.iter_modules(compliance.domain.__path__):
        loaded = importlib.import_module(f"compliance.domain.{module.name}")
        found += [c for _, c in inspect.getmembers(loaded, inspect.isclass) if dataclasses.is_dataclass(c) and c.__module__ == loaded.__name__]
    return found


def test_no_domain_dataclass_runs_code_of_its_own_when_made():
    classes = _domain_dataclasses()
    assert Obligation in classes and Person in classes
    for cls in classes:
        assert not hasattr(cls, "__post_init__"), cls
        assert "__slots__" not in vars(cls), cls  # evolve copies the instance's __dict__
        assert cls.__init__.__code__.co_filename == "<string>", cls  # the one dataclass generates, never one written by hand


@pytest.mark.parametrize(
    ("value", "changes"),
    [
        (Stretch("o1", datetime(2026, 1, 1, tzinfo=UTC)), {"until": datetime(2026, 3, 1, tzinfo=UTC), "left_reason": "moved"}),
        (Person("p1", "Li", "full", (Stretch("o1", datetime(2026, 1, 1, tzinfo=UTC)),)), {"status": "probationary"}),
        (Person("p1", "Li", "full", ()), {}),
    ],
)
def test_evolve_makes_what_replace_makes(value, changes):
    copy = evolve(value, **changes)
    assert copy == dataclasses.replace(value, **changes) and hash(copy) == hash(dataclasses.replace(value, **changes))
    assert type(copy) is type(value) and copy is not value
    for name, changed in changes.items():
        assert getattr(copy, name) == changed
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.name = "changed"  # still frozen


def test_evolve_refuses_a_field_the_value_has_not():
    with pytest.raises(TypeError, match="no field colour"):
        evolve(Stretch("o1", datetime(2026, 1, 1, tzinfo=UTC)), colour="red")
