"""The order in which a consumer applies records: the order they were appended, across topics.

Records of one partition keep their offsets' order (a person's events stay in order); partitions
are merged by record timestamp, which a service's outbox relay never lets go back, and records of
the same millisecond by their place in the service's staging order (the `outbox-seq` header the
relay adds: the outbox row's id). A live consumer and a replay from offset zero therefore apply
causally ordered events the same way. Records without the header (sent by another producer, or
before it was added, when each relay's timestamps were strictly increasing) sort first within
their millisecond.
"""

import heapq
from collections.abc import Iterable

from aiokafka import ConsumerRecord

SEQUENCE = "outbox-seq"  # the record header with its outbox row's id


def in_log_order(records: Iterable[ConsumerRecord]) -> list[ConsumerRecord]:
    partitions: dict[tuple[str, int], list[ConsumerRecord]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    ordered = [sorted(part, key=lambda r: r.offset) for _, part in sorted(partitions.items())]
    return list(heapq.merge(*ordered, key=lambda r: (r.timestamp, _sequence(r))))


def _sequence(record: ConsumerRecord) -> int:
    for key, value in record.headers or ():
        if key == SEQUENCE:
            return int(value)
    return 0
