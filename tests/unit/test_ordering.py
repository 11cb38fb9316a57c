"""The order in which consumers and replays apply a batch (kernel.ordering)."""

from aiokafka.structs import ConsumerRecord

from kernel.ordering import in_log_order


def test_records_are_applied_in_log_order_keeping_each_partition_in_order():
    def rec(topic, partition, offset, ts):
        return ConsumerRecord(topic, partition, offset, ts, 0, None, b"", None, 0, 0, ())

    records = [rec("b", 0, 0, 10), rec("b", 0, 1, 5), rec("a", 0, 0, 7), rec("a", 1, 0, 1), rec("b", 0, 2, 20)]
    ordered = [(r.topic, r.partition, r.offset) for r in in_log_order(records)]
    # a partition's own order stands even where a producer's clock went backwards (b/0/1 at 5)
    assert ordered == [("a", 1, 0), ("a", 0, 0), ("b", 0, 0), ("b", 0, 1), ("b", 0, 2)]
