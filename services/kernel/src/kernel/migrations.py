"""What every service's Alembic `env.py` does, and the kernel tables each initial revision creates."""

from alembic import context, op
from sqlalchemy import MetaData

from kernel.tables import applied_events_table, outbox_table


def run_env() -> None:
    """Body of a service's env.py: migrate on the connection `kernel.db.migrate` hands over."""
    cfg = context.config
    schema = cfg.attributes["schema"]
    connection = cfg.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through kernel.db.migrate (the service does it at start-up)")
    context.configure(connection=connection, version_table_schema=schema, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


def migrating_schema() -> str:
    """The schema the running revision migrates (the service's own, or a scratch one in a rebuild)."""
    return op.get_context().config.attributes["schema"]


def create_kernel_tables(schema: str) -> None:
    """The outbox and the applied-event tracking, created in a service's first revision."""
    metadata = MetaData(schema=schema)
    outbox_table(metadata)
    applied_events_table(metadata)
    metadata.create_all(op.get_bind())
