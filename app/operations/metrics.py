"""Prometheus metrics: what they are, how they are fed, and how a scrape is answered.

Labels are fixed vocabularies only (an endpoint name, a status class, a sign-in stage): no ids,
no names, nothing a person typed. Under gunicorn set `PROMETHEUS_MULTIPROC_DIR` to an empty
folder writable by the service (prometheus-client reads it when it is imported): every worker
and every command (`audit checkpoint`, `retention sweep`) then writes its values there and a
scrape of any worker adds them up. Without it each process reports only its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import cast

from flask import current_app
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from audit.queries import ChainLag

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "current_metrics", "status_class"]

EXTENSION = "silta_metrics"

#: Request latency buckets in seconds: a page should take tens of milliseconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Chain batch sizes: one request's few events up to the sequencer's batch of 2000.
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
#: The sign-in stages a failure is counted under.
SIGN_IN_STAGES = ("password", "totp", "reauthentication")


def status_class(status: int) -> str:
    """`2xx`, `3xx`, `4xx` or `5xx`: bounded, unlike the status itself."""
    return f"{min(max(status // 100, 1), 5)}xx"


class ChainLagCollector(Collector):
    """The chain's backlog, read from the database when scraped (any worker may answer)."""

    def __init__(self, read: Callable[[], ChainLag]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        lag = self.read()
        yield GaugeMetricFamily(
            "silta_audit_chain_pending_events",
            "Committed audit events not yet chained.",
            value=lag.pending,
        )
        yield GaugeMetricFamily(
            "silta_audit_chain_oldest_pending_seconds",
            "Age of the oldest audit event not yet chained (0 when none waits).",
            value=lag.oldest_pending_seconds,
        )
        yield GaugeMetricFamily(
            "silta_audit_chain_events",
            "Events in the audit hash chain.",
            value=lag.chain_size,
        )


class Metrics:
    """One application's metrics; in multiprocess mode their values live in the shared folder."""

    def __init__(self, multiprocess_dir: str | None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_latency = Histogram(
            "silta_http_request_duration_seconds",
            "Time to answer a request, by endpoint (the route's name) and status class.",
            ["endpoint", "status_class"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.chain_batch = Histogram(
            "silta_audit_chain_batch_size",
            "Events appended to the audit chain per sequencer batch.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "silta_sign_in_failures",
            "Failed sign-in attempts (wrong or unknown username or password, wrong code, "
            "failed re-authentication), by stage.",
            ["stage"],
            registry=self.registry,
        )
        for stage in SIGN_IN_STAGES:
            self.sign_in_failures.labels(stage=stage)
        self.sweep_due = Gauge(
            "silta_retention_sweep_due_persons",
            "Persons the latest retention sweep found due for erasure.",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.sweep_erased = Gauge(
            "silta_retention_sweep_erased_persons",
            "Persons the latest retention sweep has erased so far.",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.sweep_finished = Gauge(
            "silta_retention_sweep_finished_timestamp_seconds",
            "When the latest retention sweep finished (Unix time; 0 while one runs).",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def observe_request(self, endpoint: str | None, status: int, seconds: float) -> None:
        self.request_latency.labels(
            endpoint=endpoint or "unmatched", status_class=status_class(status)
        ).observe(seconds)

    def observe_chain_batch(self, size: int) -> None:
        self.chain_batch.observe(size)

    def sign_in_failed(self, stage: str) -> None:
        if stage not in SIGN_IN_STAGES:
            raise ValueError(f"unknown sign-in stage {stage!r}")
        self.sign_in_failures.labels(stage=stage).inc()

    def sweep_started(self, due: int) -> None:
        self.sweep_due.set(due)
        self.sweep_erased.set(0)
        self.sweep_finished.set(0)

    def sweep_progress(self, erased: int) -> None:
        # Set, not incremented: a "most recent" gauge in multiprocess mode takes only a value.
        self.sweep_erased.set(erased)

    def sweep_done(self) -> None:
        self.sweep_finished.set(time.time())

    def render(self, chain_lag: Callable[[], ChainLag]) -> bytes:
        """The text exposition of every metric, with the chain's backlog read now."""
        registry = CollectorRegistry()
        if self.multiprocess_dir:
            # prometheus-client leaves this constructor unannotated.
            multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
                registry, path=self.multiprocess_dir
            )
        else:
            registry.register(_Forward(self.registry))
        registry.register(ChainLagCollector(chain_lag))
        return generate_latest(registry)


class _Forward(Collector):
    """This process's own metrics, inside a scrape's registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


def current_metrics() -> Metrics:
    """This application's metrics (under the CLI too: its commands feed some of them)."""
    return cast(Metrics, current_app.extensions[EXTENSION])
