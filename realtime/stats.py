"""The distribution of commit-to-socket delay, kept over the most recent deliveries."""

from __future__ import annotations

from collections import deque
from statistics import quantiles

WINDOW = 20_000


class DelayStats:
    def __init__(self, window: int = WINDOW) -> None:
        self._samples: deque[float] = deque(maxlen=window)
        self.total = 0

    def add(self, seconds: float) -> None:
        self._samples.append(max(0.0, seconds))
        self.total += 1

    def summary(self) -> dict[str, float | int | None]:
        """Milliseconds: median, p95, p99 and max of the window, and how many deliveries in all."""
        samples = list(self._samples)
        if not samples:
            return {"deliveries": self.total, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
        cuts = quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [samples[0]] * 99
        return {"deliveries": self.total, "p50_ms": round(cuts[49] * 1000, 2), "p95_ms": round(cuts[94] * 1000, 2),
                "p99_ms": round(cuts[98] * 1000, 2), "max_ms": round(max(samples) * 1000, 2)}
