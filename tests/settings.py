"""Settings for the test suite: the real settings, with test defaults for what the environment leaves unset."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thiduakt")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own Redis database (15, 14… for gw0, gw1… when given 15): the
    tests that start a real Celery worker purge and consume the default queue, and must not take each other's
    messages, nor the cache counters each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or os.environ.get("REDIS_URL_PER_WORKER"):
        return url  # not under xdist, or already chosen (a Celery worker started by a test inherits the choice)
    os.environ["REDIS_URL_PER_WORKER"] = "1"
    base, _, number = url.rpartition("/")
    return f"{base}/{(int(number or 0) - int(worker[2:])) % 16}"


os.environ["REDIS_URL"] = _redis_of_this_worker(os.environ["REDIS_URL"])
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("DEBUG", "false")

from thiduakt.settings import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = BASE_DIR / "var" / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
