"""``/metrics`` in the Prometheus text format: one registry per app, never the library's global one.

Two kinds of figures:
- counted as things happen (requests by route, job runs, audited login failures and locks), in metric
  objects registered on the app's own ``CollectorRegistry``, so that many apps in one test process never
  share or clash over a name;
- read at scrape time (the hub's delivery delays, sockets, overflows and resyncs; the connection pool), by
  a custom collector, so that the realtime package and the pool know nothing of Prometheus.

Every figure is this process's own: with ``bedboard serve --workers N`` each worker answers for itself,
and which one answers a scrape is the kernel's choice (docs/operations.md says how to scrape them all).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app.kit.audit import AuditEvent
from realtime.hub import Hub
from realtime.stats import DELAY_BUCKETS

# Audit actions that are login refusals: counted from the audit events of committed transactions, so the
# accounts package needs no hook and a figure here always matches the audit log.
LOGIN_FAILED = "accounts.login_failed"
LOGIN_LOCKED = "accounts.login_throttled"
# Request latency buckets (seconds): pages take 5-50 ms, a login's argon2 check about 100-300 ms.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 600.0)
LOOPBACK = {"127.0.0.1", "::1"}
PENDING_KEY = "bedboard.metrics.audited"


class LiveFigures(Collector):
    """What is true at scrape time: read from the hub and the pool, nothing kept here."""

    def __init__(self, hub: Hub, engine: AsyncEngine) -> None:
        self.hub = hub
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        stats = self.hub.stats
        buckets: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*DELAY_BUCKETS, float("inf")), stats.bucket_counts, strict=True):
            running += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
        yield HistogramMetricFamily("bedboard_commit_to_socket_seconds",
                                    "Delay from a change's commit to its frame written to a board socket.",
                                    buckets=buckets, sum_value=stats.seconds_sum)
        yield GaugeMetricFamily("bedboard_board_sockets", "Open live-board websockets of this process.",
                                value=len(self.hub.subscriptions))
        yield CounterMetricFamily("bedboard_board_queue_overflows",
                                  "Board socket queues that overflowed (backlog dropped, snapshot sent instead).",
                                  value=stats.overflows)
        yield CounterMetricFamily("bedboard_board_resyncs",
                                  "Fresh snapshots queued in place of a backlog (overflow, long resume, feed gap).",
                                  value=stats.resyncs)
        yield from self._pool()

    def _pool(self) -> Iterator[Metric]:
        pool: Any = self.engine.sync_engine.pool
        figures = {"bedboard_db_pool_size": ("size", "Connections the pool keeps (pool_size)."),
                   "bedboard_db_pool_checked_out": ("checkedout", "Pool connections in use right now."),
                   "bedboard_db_pool_overflow": ("overflow", "Connections open beyond pool_size (negative: "
                                                             "fewer than pool_size opened yet).")}
        for name, (method, documentation) in figures.items():
            read = getattr(pool, method, None)
            if callable(read):
                yield GaugeMetricFamily(name, documentation, value=float(read()))


class Metrics:
    """One app's registry and the metric objects its middleware, scheduler and sessions update."""

    def __init__(self, hub: Hub, engine: AsyncEngine) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("bedboard_http_requests", "HTTP requests answered, by route template and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("bedboard_http_request_seconds", "Time to answer an HTTP request, by route template.",
                                 ["method", "route"], buckets=REQUEST_BUCKETS, registry=self.registry)
        self.jobs = Counter("bedboard_job_runs", "Periodic job runs of this process, by job and result.",
                            ["job", "result"], registry=self.registry)
        self.job_seconds = Histogram("bedboard_job_run_seconds", "Duration of periodic job runs.", ["job"],
                                     buckets=JOB_BUCKETS, registry=self.registry)
        self.login_failures = Counter("bedboard_login_failures", "Failed logins (wrong username or password).",
                                      registry=self.registry)
        self.login_locks = Counter("bedboard_login_locks", "Login locks set after too many failures, by kind.",
                                   ["kind"], registry=self.registry)
        self.registry.register(LiveFigures(hub, engine))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_job(self, job: str, result: str, seconds: float) -> None:
        self.jobs.labels(job, result).inc()
        self.job_seconds.labels(job).observe(seconds)

    def count_audited(self, events: list[AuditEvent]) -> None:
        for audited in events:
            if audited.action == LOGIN_FAILED:
                self.login_failures.inc()
            elif audited.action == LOGIN_LOCKED:
                kind = str((audited.after or {}).get("lock", "unknown"))
                self.login_locks.labels(kind if kind in {"username", "address"} else "other").inc()

    def watch_audit(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        """Count the login refusals the app's sessions audit, once their transaction commits.

        A session class of this app's own carries the listeners, so another app in the same process (tests
        build many) is never counted here. What a flush added is counted at commit only if it is still
        persistent: a rolled-back savepoint (the group commit's refused write) or transaction expunges its
        new objects, and only those, so no rollback listener has to guess which ones to forget.
        """
        app_session = type("MeteredSession", (Session,), {})

        def after_flush(session: Session, _context: object) -> None:
            audited = [obj for obj in session.new if isinstance(obj, AuditEvent)]
            if audited:
                session.info.setdefault(PENDING_KEY, []).extend(audited)

        def after_commit(session: Session) -> None:
            self.count_audited([audited for audited in session.info.pop(PENDING_KEY, [])
                                if inspect(audited).persistent])

        event.listen(app_session, "after_flush", after_flush)
        event.listen(app_session, "after_commit", after_commit)
        session_factory.configure(sync_session_class=app_session)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
