"""Each service's Alembic migrations build exactly the tables its code uses (no drift)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from compliance.adapters import orm as compliance_orm
from notify.adapters import orm as notify_orm
from registry.adapters import orm as registry_orm
from talks.adapters import orm as talks_orm


@pytest.mark.parametrize("orm", [registry_orm, talks_orm, compliance_orm, notify_orm], ids=lambda m: m.SCHEMA)
async def test_migrations_match_the_tables_in_code(engine, orm):
    def diff(connection):
        context = MigrationContext.configure(
            connection,
            opts={"include_schemas": True, "include_name": lambda name, type_, parent: _ours(name, type_, orm.SCHEMA)},
        )
        return compare_metadata(context, orm.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


def _ours(name: str, type_: str, schema: str) -> bool:
    if type_ == "schema":
        return name == schema
    return not (type_ == "table" and name == "alembic_version")
