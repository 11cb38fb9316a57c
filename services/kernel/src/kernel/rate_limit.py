"""Requests per signed-in person, as a token bucket: a burst, then a steady rate; past it a 429 with
Retry-After. Pure apart from the clock it is given. Kept in each instance's memory: with several
instances behind a balancer a person gets that many times the rate (a shared store would be the next
step; this bounds one runaway client or script, which is what it is for)."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    per_second: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, at)

    def wait(self, key: str) -> float:
        """0 if the request may go now (and it is counted), else the seconds until it may."""
        now = self.clock()
        tokens, at = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget the idle ones (full buckets) now and then
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst - 1}
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.per_second

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))
