"""Settings of a Celery worker process started by a test (tests.workers): the test settings, except that it mails
through the backend the test names in TEST_EMAIL_BACKEND (the worker cannot fill the test's locmem outbox), into
TEST_EMAIL_FILE_PATH."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
EMAIL_FILE_PATH = os.environ.get("TEST_EMAIL_FILE_PATH")
if os.environ.get("TEST_BROKER_VISIBILITY_TIMEOUT"):
    # How long a message taken by a worker and not acknowledged stays with it before the broker gives it to another
    # worker (Redis transport; 1 hour by default): a test that kills a worker mid-task shortens it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ["TEST_BROKER_VISIBILITY_TIMEOUT"])}
