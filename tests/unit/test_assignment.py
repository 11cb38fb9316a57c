"""Static partition assignment: every partition read by exactly one of the instances."""

import pytest
from pydantic import ValidationError

from kernel.settings import CommonSettings


@pytest.mark.parametrize(
    ("partitions", "instances", "expected"),
    [
        (6, 1, [[0, 1, 2, 3, 4, 5]]),
        (6, 2, [[0, 2, 4], [1, 3, 5]]),
        (6, 4, [[0, 4], [1, 5], [2], [3]]),
        (3, 5, [[0], [1], [2], [], []]),
    ],
)
def test_each_partition_has_exactly_one_instance(partitions, instances, expected):
    found = [
        list(CommonSettings(KAFKA_ASSIGNMENT="static", KAFKA_PARTITIONS=partitions, KAFKA_INSTANCE=i, KAFKA_INSTANCES=instances).partitions_of_instance())
        for i in range(instances)
    ]
    assert found == expected


def test_an_instance_numbered_past_the_count_is_refused():
    with pytest.raises(ValidationError, match="KAFKA_INSTANCE=2 is not below KAFKA_INSTANCES=2"):
        CommonSettings(KAFKA_ASSIGNMENT="static", KAFKA_INSTANCE=2, KAFKA_INSTANCES=2)
