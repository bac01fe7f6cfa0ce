"""Real Celery worker processes for tests: each one runs on this test database and this run's Redis (or a broker the
test names), is stopped at the end of the test, and its log is printed then. A test module imports the fixture it uses
(`worker`, or `workers` to start several or with an environment of their own)."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery.backends.redis import RedisBackend
from django.conf import settings
from django.db import connection

from thiduakt.celery import app


def worker_environment(**extra: str) -> dict:
    """The worker's environment: this test database (the name pytest-django gave it), this run's Redis as broker
    and result store, the worker's settings module (the test settings; see tests/worker_settings.py), and `extra`."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": f"postgres://{database['USER']}{password}@{host}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_RESULT_BACKEND": extra.get("REDIS_URL", settings.REDIS_URL),  # read by Celery itself
        **extra,
    }


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def ready(self) -> bool:
        """The worker announced that it consumes (Celery logs "… ready." once connected to the broker)."""
        return self.log.exists() and " ready." in self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM (a warm shutdown: the task under way finishes), then SIGKILL if it does not stop."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, as when the machine or the OOM killer takes the worker: nothing of it runs after this."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


class Workers:
    """Starts workers for one test (solo pool, one task at a time, the default queue) and stops them all at its
    end."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: list[Worker] = []

    def start(self, *, wait: bool = True, **env: str) -> Worker:
        index = len(self.started) + 1
        log = self.tmp_path / f"worker-{index}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "thiduakt", "worker", "--pool=solo", "--concurrency=1",
                 "-Q", app.conf.task_default_queue, "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-n", f"test-{os.getpid()}-{index}@%h"],
                cwd=settings.BASE_DIR, env=worker_environment(**env), stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process, log)
        self.started.append(worker)
        if wait:
            assert wait_for(lambda: worker.ready() or process.poll() is not None, timeout=60)
            assert process.poll() is None, f"the worker stopped: {log.read_text(errors='replace')[-2000:]}"
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()
        for worker in self.started:
            print(f"--- {worker.log.name}\n{worker.log.read_text(errors='replace')[-4000:]}")


def purge_default_queue() -> None:
    """Messages left in the run's Redis by earlier tests (tasks queued by their commits, or taken by a worker that a
    test killed and not acknowledged, which Redis hands out again after the visibility timeout) would run against
    this database."""
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        channel.queue_purge(app.conf.task_default_queue)
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


@contextmanager
def started_workers(tmp_path: Path):
    """Workers for one test, on the test run's Redis (its default queue purged first), all stopped at the end."""
    assert not app.conf.task_always_eager, "a worker test needs REDIS_URL"
    purge_default_queue()
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def workers(transactional_db, tmp_path):
    """workers.start(**env) → a Celery worker process, with `env` added to its environment, ready to consume."""
    with started_workers(tmp_path) as started:
        yield started


@pytest.fixture
def worker(transactional_db, tmp_path):
    """One Celery worker process (solo pool) on the test run's Redis, started without waiting for it."""
    with started_workers(tmp_path) as started:
        yield started.start(wait=False)


def through_worker(task, *args, timeout=90):
    """Send a task to the worker and wait for its return value. This process's Celery has no result store (the
    app needs none); the worker writes to Redis, read here."""
    sent = task.delay(*args)
    return result_of(sent, timeout=timeout)


def result_of(sent, *, timeout=90):
    return app.AsyncResult(sent.id, backend=RedisBackend(app=app, url=settings.REDIS_URL)).get(timeout=timeout)


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
