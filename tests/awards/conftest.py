import importlib

import pytest
from django.apps import apps

from awards.models import AwardType


@pytest.fixture
def catalogue(db):
    """The award catalogue of the seed migration. Transactional tests flush it: seed it again when empty."""
    if not AwardType.objects.exists():
        importlib.import_module("awards.migrations.0002_seed_catalogue").seed(apps, None)
    return {award_type.code: award_type for award_type in AwardType.objects.all()}
