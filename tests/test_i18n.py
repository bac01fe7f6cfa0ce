"""The Vietnamese catalog is complete, compiled, and covers every string of the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"


def test_every_entry_is_translated():
    po = polib.pofile(str(CATALOG / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalog_matches_the_source_catalog():
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = polib.mofile(str(CATALOG / "django.mo"))
    assert {(e.msgctxt, e.msgid): e.msgstr for e in po if not e.msgid_plural} == {
        (e.msgctxt, e.msgid): e.msgstr for e in mo if not e.msgid_plural
    }


def test_catalog_has_every_string_of_the_source(tmp_path):
    """Extract the strings again into a copy of the tree: none may be missing from the committed catalog."""
    assert shutil.which("xgettext"), "gettext is needed (apt-get install gettext; .ci/run does)"
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "*.pyc"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location", "-i", "tests/*", "-i", "bench/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "SECURE_HTTPS": "false"},
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/vi/LC_MESSAGES/django.po")) if e.msgid}
    committed = {e.msgid for e in polib.pofile(str(CATALOG / "django.po")) if e.msgid}
    missing = sorted(extracted - committed)
    assert not missing, f"run `make messages` and translate: {missing[:20]}"
