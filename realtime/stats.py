"""The distribution of commit-to-socket delay, kept over the most recent deliveries, and the hub's counters.

Plain numbers only: whoever exports them (the app's ``/metrics``) reads them at scrape time, so this
package needs nothing from the app.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from statistics import quantiles

WINDOW = 20_000
# Upper bounds (seconds) of the cumulative delay histogram. Steady p99 at 1,000 sockets is about 73 ms
# (docs/benchmarks.md), so most of the resolution sits between 1 ms and 250 ms.
DELAY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class DelayStats:
    def __init__(self, window: int = WINDOW) -> None:
        self._samples: deque[float] = deque(maxlen=window)
        self.total = 0
        # Since start-up, never reset: deliveries per bucket (the last one is past every bound) and their sum.
        self.bucket_counts = [0] * (len(DELAY_BUCKETS) + 1)
        self.seconds_sum = 0.0
        # Subscriber queues that overflowed (backlog dropped), and fresh snapshots queued in place of a
        # backlog for any reason (overflow, a resume past its hold, a gap in the feed).
        self.overflows = 0
        self.resyncs = 0

    def add(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self._samples.append(seconds)
        self.total += 1
        self.bucket_counts[bisect_left(DELAY_BUCKETS, seconds)] += 1
        self.seconds_sum += seconds

    def summary(self) -> dict[str, float | int | None]:
        """Milliseconds: median, p95, p99 and max of the window, and how many deliveries in all."""
        samples = list(self._samples)
        if not samples:
            return {"deliveries": self.total, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
        cuts = quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [samples[0]] * 99
        return {"deliveries": self.total, "p50_ms": round(cuts[49] * 1000, 2), "p95_ms": round(cuts[94] * 1000, 2),
                "p99_ms": round(cuts[98] * 1000, 2), "max_ms": round(max(samples) * 1000, 2)}
