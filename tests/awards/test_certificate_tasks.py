"""The certificate batch run by a real Celery worker process against the test database and the test run's Redis:
queued by the service after its commit, rendered by the worker, progress and downloads stored; sent again, the
job renders nothing more."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from awards import certificates as services
from awards import tasks
from awards.models import Certificate, CertificateBatch
from tests import factories
from tests.awards.test_certificates import issued_decision
from tests.awards.test_session_tasks import through_worker, wait_for, worker  # noqa: F401 (the fixture)


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_batch_once(org, worker):  # noqa: F811
    admin = factories.make_user("admin_tx", is_superuser=True)
    decision = issued_decision(org, lines=3)
    try:
        batch = services.certificates_generate(by=admin, decision=decision)
        done = CertificateBatch.objects.filter(pk=batch.pk, state=CertificateBatch.State.DONE)
        assert wait_for(done.exists, timeout=120), "the worker did not finish the batch"
        batch = done.get()
        assert batch.done_count == batch.total == 3 and batch.merged_pdf and batch.zip_file
        certificates = Certificate.objects.filter(item__decision=decision)
        assert certificates.count() == 3 and not certificates.filter(pdf="").exists()
        files = set(certificates.values_list("pdf", flat=True))

        assert through_worker(tasks.generate_certificates, batch.pk) == 0
        assert set(Certificate.objects.filter(item__decision=decision).values_list("pdf", flat=True)) == files
    finally:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "certificates" / str(decision.pk), ignore_errors=True)
