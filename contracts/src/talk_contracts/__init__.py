"""The integration contract: the CloudEvents envelope and every v1 event type of SPEC §9.

Everything that crosses a service boundary is defined here and nowhere else. Services import
the models; the JSON Schemas and the AsyncAPI document beside this package are generated from
them (`python -m talk_contracts.generate`) and a test fails when they are stale.
"""

from talk_contracts.catalogue import CATALOGUE, EventType, event_type
from talk_contracts.envelope import CloudEvent, new_event
from talk_contracts.parse import EventRejected, ParsedEvent, parse_event, parse_event_bytes
from talk_contracts.topics import FAMILIES, Topic, dlq_topic
from talk_contracts.vocabulary import COMMITTEE_ROLES, OBLIGATION_TRANSITIONS, OPEN_STATUSES, Source

__all__ = [
    "CATALOGUE",
    "COMMITTEE_ROLES",
    "OBLIGATION_TRANSITIONS",
    "OPEN_STATUSES",
    "Source",
    "CloudEvent",
    "EventRejected",
    "EventType",
    "ParsedEvent",
    "FAMILIES",
    "Topic",
    "dlq_topic",
    "event_type",
    "new_event",
    "parse_event",
    "parse_event_bytes",
]
