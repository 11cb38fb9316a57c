"""How long a consumer's fetches wait at the broker: short while events come, long once it is quiet.

The embedded broker (Tansu) ignores `fetch_min_bytes` and answers a fetch only when its
`fetch_max_wait_ms` has passed, so that wait is both the latency each hop adds and how often an
idle consumer wakes up. At 50 ms aiokafka's fetch loop alone costs an idle consumer 1.7 % of a
core on one partition, 2.9 % on 6 topics × 6 partitions (1.0 % at 200 ms; measured on this
machine): the three consuming services made most of the county bench's 7.5 % at rest. So after
`KAFKA_FETCH_QUIET_S` without a batch, a consumer's fetches wait `KAFKA_FETCH_IDLE_WAIT_MS`
instead, and its next batch sets them back. The price: the first event after a quiet spell waits
up to that long at each hop. Apache Kafka answers a fetch as soon as a record arrives, so there the
longer wait costs nothing.

aiokafka reads the wait from its fetcher for each request it builds (`Fetcher._fetch_max_wait_ms`,
private: pinned by `tests/integration/test_fetch_pace.py`); where it is missing, nothing changes."""

import time

from aiokafka import AIOKafkaConsumer


class FetchPace:
    def __init__(self, busy_ms: int, idle_ms: int, quiet_s: float):
        self.busy_ms, self.idle_ms, self.quiet_s = busy_ms, idle_ms, quiet_s
        self.last_batch = time.monotonic()
        self.idle = False

    def heard(self, consumer: AIOKafkaConsumer | None) -> None:
        """A batch came: fetch at the short wait again."""
        self.last_batch = time.monotonic()
        if self.idle:
            self.idle = False
            _set_wait(consumer, self.busy_ms)

    async def check(self, consumer: AIOKafkaConsumer | None) -> None:
        """Periodically: quiet for long enough, fetch at the long wait."""
        if not self.idle and self.idle_ms > self.busy_ms and time.monotonic() - self.last_batch >= self.quiet_s:
            self.idle = _set_wait(consumer, self.idle_ms)


def _set_wait(consumer: AIOKafkaConsumer | None, wait_ms: int) -> bool:
    fetcher = getattr(consumer, "_fetcher", None)
    if fetcher is None or not hasattr(fetcher, "_fetch_max_wait_ms"):
        return False
    fetcher._fetch_max_wait_ms = wait_ms
    return True
