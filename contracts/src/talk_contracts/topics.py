"""Event families and the Kafka topic each one lives on (SPEC §9)."""

from enum import StrEnum


class Topic(StrEnum):
    REGISTRY = "registry.events"
    CADRE = "cadre.events"
    DISCIPLINE = "discipline.events"
    CONDUCT = "conduct.events"
    TALKS = "talks.events"
    COMPLIANCE = "compliance.obligations"
    NOTIFY = "notify.events"


# The family name an integrated system is allowed to send, and its topic.
FAMILIES: dict[str, Topic] = {
    "registry": Topic.REGISTRY,
    "cadre": Topic.CADRE,
    "discipline": Topic.DISCIPLINE,
    "conduct": Topic.CONDUCT,
    "talks": Topic.TALKS,
    "compliance": Topic.COMPLIANCE,
    "notify": Topic.NOTIFY,
}


def dlq_topic(topic: str) -> str:
    """Where a consumer of `topic` puts the messages it cannot read."""
    return f"{topic}.dlq"
