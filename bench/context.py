"""What a scenario gets: logged-in clients and a timer that refuses to time a failing page."""

import math
import statistics
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


class ScenarioFailed(Exception):
    """A measured request did not answer what the scenario expects: no number is reported for it."""


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class BenchContext:
    scale: int
    iterations: int = 30
    warmups: int = 3

    def client_as(self, username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    def measure_get(self, scenario: str, label: str, client: Client, url: str, *, expect: str = "") -> list[dict]:
        """Time GET `url`: `warmups` untimed requests, one counted for queries, then `iterations` timed ones.
        Every response must be 200 and, when `expect` is given, contain that text."""
        for _ in range(self.warmups):
            self._check(scenario, label, url, client.get(url), expect)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Read now: the next request's request_started signal empties the log that captured reads from.
        query_count = len(captured.captured_queries)
        self._check(scenario, label, url, response, expect)
        samples = []
        for _ in range(self.iterations):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            self._check(scenario, label, url, response, expect="")
        return [
            row(scenario, f"{label}.server_ms_p50", round(statistics.median(samples), 2), "ms"),
            row(scenario, f"{label}.server_ms_p95", round(percentile(samples, 0.95), 2), "ms"),
            row(scenario, f"{label}.queries", query_count, "queries"),
            row(scenario, f"{label}.response_size", len(response.content), "bytes"),
        ]

    @staticmethod
    def _check(scenario: str, label: str, url: str, response, expect: str) -> None:
        if response.status_code != 200:
            raise ScenarioFailed(f"{scenario} [{label}]: GET {url} answered {response.status_code}, not 200")
        if expect and expect not in response.content.decode(response.charset or "utf-8"):
            raise ScenarioFailed(f"{scenario} [{label}]: GET {url} answered 200 without {expect!r}")


def row(scenario: str, metric: str, value, unit: str) -> dict:
    return {"scenario": scenario, "metric": metric, "value": value, "unit": unit}
