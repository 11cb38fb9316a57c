"""The order in which a consumer applies records: the order they were appended, across topics.

Records of one partition keep their offsets' order (a person's events stay in order); partitions
are merged by record timestamp, which the outbox relays make strictly increasing per service. A live
consumer and a replay from offset zero therefore apply causally ordered events the same way.
"""

import heapq
from collections.abc import Iterable

from aiokafka import ConsumerRecord


def in_log_order(records: Iterable[ConsumerRecord]) -> list[ConsumerRecord]:
    partitions: dict[tuple[str, int], list[ConsumerRecord]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    ordered = [sorted(part, key=lambda r: r.offset) for _, part in sorted(partitions.items())]
    return list(heapq.merge(*ordered, key=lambda r: r.timestamp))
