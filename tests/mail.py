"""An email backend for tests whose mail is sent by another process (a Celery worker started by the test): each
message accepted is one JSON file in settings.EMAIL_FILE_PATH, which the test reads back with `messages_in`.

To stop the sender in the middle of a batch, a test writes N in the file `hold` of that directory: about to write
message N + 1 of the directory, the backend writes its process id to `held` and waits while `hold` is there (the
test kills it, or removes `hold` to let it go on)."""

import json
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class MessageFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(settings.EMAIL_FILE_PATH)
        for message in email_messages:
            _wait_while_held(directory)
            message.message()  # what a real backend does first: a malformed header fails here as it would there
            data = {
                "from": message.from_email,
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "html": [content for content, mimetype in message.alternatives if mimetype == "text/html"],
            }
            name = f"{time.time_ns()}-{uuid.uuid4().hex}.json"
            partial = directory / f"{name}.partial"
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, directory / name)  # whole or absent: a reader never sees half a message
        return len(email_messages)


def _wait_while_held(directory: Path) -> None:
    hold = directory / "hold"
    while hold.exists():
        try:
            at = int(hold.read_text())
        except (FileNotFoundError, ValueError):  # removed, or being written
            time.sleep(0.01)
            continue
        if len(list(directory.glob("*.json"))) != at:
            return
        (directory / "held").write_text(str(os.getpid()))
        time.sleep(0.05)


def messages_in(directory: Path) -> list[dict]:
    """The messages accepted so far, oldest first."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def environment(directory: Path) -> dict:
    """The environment that makes a worker mail into `directory`."""
    return {"TEST_EMAIL_BACKEND": "tests.mail.MessageFileBackend", "TEST_EMAIL_FILE_PATH": str(directory)}
