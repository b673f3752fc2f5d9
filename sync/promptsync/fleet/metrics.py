"""The fleet on /metrics, read at each scrape: `promptsync_fleet_readers{service,state}` and
`promptsync_fleet_convergence_seconds` (from the last publish to the last live reader serving
it; absent until they all do)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from promptsync.errors import UnreachableError
from promptsync.fleet.source import FleetSource
from promptsync.fleet.view import STATES


class FleetCollector(Collector):
    def __init__(self, source: FleetSource) -> None:
        self.source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        readers = GaugeMetricFamily("promptsync_fleet_readers", "Reader processes by service "
                                    "and state (synced, syncing, stale, gone)",
                                    labels=["service", "state"])
        up = GaugeMetricFamily("promptsync_fleet_up", "1 when the fleet could be read from "
                               "Redis at this scrape")
        try:
            fleet = self.source.look()
        except UnreachableError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        counts = fleet.counts()
        for service in sorted({service for service, _ in counts}):
            for state in STATES:
                readers.add_metric([service, state], counts.get((service, state), 0))
        yield up
        yield readers
        converged = fleet.convergence
        if converged is not None:
            gauge = GaugeMetricFamily("promptsync_fleet_convergence_seconds", "Seconds from the "
                                      "last publish to the last live reader serving it")
            gauge.add_metric([], converged)
            yield gauge
