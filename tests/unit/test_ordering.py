"""The order in which consumers and replays apply a batch (kernel.ordering)."""

import time
from types import SimpleNamespace

from aiokafka.structs import ConsumerRecord

from kernel.ordering import SEQUENCE, in_log_order
from kernel.outbox import OutboxRelay
from kernel.settings import CommonSettings


def test_records_are_applied_in_log_order_keeping_each_partition_in_order():
    def rec(topic, partition, offset, ts):
        return ConsumerRecord(topic, partition, offset, ts, 0, None, b"", None, 0, 0, ())

    records = [rec("b", 0, 0, 10), rec("b", 0, 1, 5), rec("a", 0, 0, 7), rec("a", 1, 0, 1), rec("b", 0, 2, 20)]
    ordered = [(r.topic, r.partition, r.offset) for r in in_log_order(records)]
    # a partition's own order stands even where a producer's clock went backwards (b/0/1 at 5)
    assert ordered == [("a", 1, 0), ("a", 0, 0), ("b", 0, 0), ("b", 0, 1), ("b", 0, 2)]


def test_records_of_one_millisecond_are_merged_in_their_services_staging_order():
    def rec(topic, partition, offset, ts, seq=None):
        headers = () if seq is None else (("content-type", b"x"), (SEQUENCE, str(seq).encode()))
        return ConsumerRecord(topic, partition, offset, ts, 0, None, b"", None, 0, 0, headers)

    # one relay's burst: three rows staged in order 7, 8, 9, sent within one millisecond to two partitions
    records = [rec("t", 1, 0, 100, 9), rec("t", 0, 0, 100, 8), rec("t", 1, 1, 101, 10), rec("t", 2, 0, 100, 7), rec("u", 0, 0, 100)]
    ordered = [(r.topic, r.partition, r.offset) for r in in_log_order(records)]
    # a record without the header (another producer's) first within its millisecond
    assert ordered == [("u", 0, 0), ("t", 2, 0), ("t", 0, 0), ("t", 1, 0), ("t", 1, 1)]


def test_a_relays_timestamps_never_go_back_nor_run_ahead_of_the_clock():
    relay = OutboxRelay(None, SimpleNamespace(schema="s"), None, CommonSettings())
    stamps = [relay._next_timestamp() for _ in range(5_000)]  # far more than one a millisecond
    assert stamps == sorted(stamps)
    assert stamps[-1] <= time.time() * 1000 + 1  # strictly increasing stamps ran seconds ahead here
