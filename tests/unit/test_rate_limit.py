"""The per-person token bucket (kernel.rate_limit) and the event-stream gate: pure, on a clock we turn."""

import pytest
from fastapi import HTTPException

from kernel.rate_limit import RateLimiter
from kernel.web import StreamGate

pytestmark = pytest.mark.unit


def test_a_burst_then_the_steady_rate_then_a_wait_that_says_how_long():
    now = [0.0]
    limiter = RateLimiter(per_second=2, burst=3, clock=lambda: now[0])
    assert [limiter.wait("p") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait("p") == pytest.approx(0.5)  # one token comes back every half second
    assert limiter.wait("q") == 0  # another person has a bucket of their own
    now[0] = 0.5
    assert limiter.wait("p") == 0
    assert limiter.retry_after(limiter.wait("p")) == "1"
    now[0] = 100.0  # a quiet while refills the burst, never more
    waits = [limiter.wait("p") for _ in range(4)]
    assert waits[:3] == [0, 0, 0] and waits[3] > 0


def test_the_stream_gate_turns_away_past_its_limit():
    gate = StreamGate(2)
    gate.open = 2
    with pytest.raises(HTTPException) as refused:
        gate.admit()
    assert refused.value.status_code == 503 and refused.value.headers["Retry-After"] == "5"
    gate.open = 1
    gate.admit()
