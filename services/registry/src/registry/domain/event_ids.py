"""Ids are unique per source (CloudEvents): the discipline system and the cadre system may both
send an event with id 42. Downstream every service keys its idempotence (and compliance its
obligation ids) on the event id alone, so the edge gives each accepted event an id unique in the
whole system, derived from its source and the id its sender gave it: the same event sent again gets
the same id, and is a duplicate."""

import uuid

_PER_SOURCE = uuid.UUID("6f1c0d7e-52a9-4b8e-9d31-7c4e2a90b1f5")


def published_id(source: str, sender_id: str) -> str:
    """The id an event travels under on the topics."""
    return str(uuid.uuid5(_PER_SOURCE, f"{source}\n{sender_id}"))
