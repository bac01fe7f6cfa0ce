"""Import of legacy award history from one workbook: command, upload pages, malformed workbooks, all or nothing,
idempotent re-import."""

import datetime as dt
import importlib
import io
import os

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_verify
from awards import imports
from awards.models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating
from organizations.models import Employment, Household, Person, Unit
from tests import factories

HEADERS = {name: list(sheet.columns) for name, sheet in imports.SHEETS.items()}


def workbook(sheets: dict, headers: dict | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append((headers or {}).get(name, HEADERS.get(name, ["x"])))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def seeded_catalogue(db):
    """The award types of the seed migration. Transactional tests elsewhere flush them: seed again when empty."""
    if not AwardType.objects.exists():
        importlib.import_module("awards.migrations.0002_seed_catalogue").seed(apps, None)


@pytest.fixture
def write_file(tmp_path):
    def write(content: bytes, name: str = "history.xlsx") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def household(org):
    return Household.objects.create(code="HGD01", head_name="Trần Văn Bình", unit=org.province)


def full_sheets() -> dict:
    """Every sheet; CB1001 and XA01 exist only in this workbook, CB0001, CB0002, SGD and HGD01 in the system."""
    return {
        "units": [("XA01", "Xã Hoà Bình", "commune", "T01")],
        "people": [("CB1001", "Trần Thị Mai", "female", "04/03/1980", "XA01", "Chủ tịch", "leader")],
        "ratings": [
            ("person", "CB1001", 2023, "excellent"),
            ("unit", "XA01", 2023, "HTTNV"),
            ("person", "CB0001", 2023, "good"),
        ],
        "awards": [
            ("person", "CB1001", "LDTT", 2023, "regular", "12/QĐ-UBND", dt.datetime(2023, 12, 20)),
            ("unit", "SGD", "TTLDXS", 2023, None, "15/QĐ-UBND", "20/12/2023"),
            ("household", "HGD01", "GDVH", 2023, "regular", "20/QĐ-UBND", None),
            ("person", "CB0001", "BK_TINH", 2022, "Đột xuất", "7/QĐ-UBND", None),
        ],
        "initiatives": [("CB1001; CB0001", "Số hoá hồ sơ thi đua", "unit", 2023, "3/QĐ-SK")],
        "disciplines": [("CB0002", "reprimand", "01/03/2020", None)],
        "members": [("XA01", "CB1001", 2023), ("SGD", "CB0001", 2023)],
    }


def history_state():
    """What a user could notice changing: every history row, units, people, employments, the audit trail."""
    return {
        "units": list(Unit.objects.values_list("code", "name", "parent_id").order_by("code")),
        "people": list(Person.objects.values_list("code", "full_name", "unit_id").order_by("code")),
        "employments": list(Employment.objects.values_list("person_id", "unit_id", "start", "end").order_by("pk")),
        "awards": list(
            AwardRecord.objects.values_list(
                "pk", "person_id", "unit_id", "household_id", "award_type__code", "year", "kind", "decision_date"
            ).order_by("pk")
        ),
        "ratings": list(Rating.objects.values_list("pk", "person_id", "unit_id", "year", "rating").order_by("pk")),
        "initiatives": list(Initiative.objects.values_list("pk", "title", "scope", "year").order_by("pk")),
        "authors": list(Initiative.authors.through.objects.values_list("initiative_id", "person_id").order_by("pk")),
        "disciplines": list(Discipline.objects.values_list("pk", "person_id", "level", "start", "end").order_by("pk")),
        "members": list(Membership.objects.values_list("unit_id", "person_id", "year").order_by("pk")),
        "audit_events": AuditEvent.objects.count(),
    }


def run(path, *args):
    out = io.StringIO()
    call_command("import_history", path, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# A full workbook ------------------------------------------------------------------------------------


def test_full_workbook_imports_every_sheet(org, household, write_file):
    output = run(write_file(workbook(full_sheets())))

    mai = Person.objects.get(code="CB1001")
    commune = Unit.objects.get(code="XA01")
    assert mai.unit == commune and commune.parent == org.province
    assert mai.employments.get().unit == commune
    assert {(r.person, r.unit, r.year, r.rating) for r in Rating.objects.all()} == {
        (mai, None, 2023, Rating.Level.EXCELLENT),
        (None, commune, 2023, Rating.Level.GOOD),
        (org.person_a, None, 2023, Rating.Level.GOOD),
    }
    ldtt = AwardRecord.objects.get(person=mai)  # a person of the people sheet, referenced by the awards sheet
    assert (ldtt.award_type.code, ldtt.year, ldtt.kind, ldtt.decision_number, ldtt.decision_date) == (
        "LDTT",
        2023,
        "regular",
        "12/QĐ-UBND",
        dt.date(2023, 12, 20),
    )
    assert (ldtt.source, ldtt.issuer) == (AwardRecord.Source.IMPORT, "")
    assert AwardRecord.objects.get(unit=org.unit_a).decision_date == dt.date(2023, 12, 20)
    assert AwardRecord.objects.get(unit=org.unit_a).kind == "regular"  # empty kind means regular
    assert AwardRecord.objects.get(household=household).award_type.code == "GDVH"
    assert AwardRecord.objects.get(person=org.person_a).kind == "sudden"  # the Vietnamese label is accepted
    initiative = Initiative.objects.get()
    assert set(initiative.authors.all()) == {mai, org.person_a}
    assert (initiative.scope, initiative.year, initiative.decision_number) == ("unit", 2023, "3/QĐ-SK")
    discipline = Discipline.objects.get()
    assert (discipline.person, discipline.level, discipline.start, discipline.end) == (
        org.person_b,
        "reprimand",
        dt.date(2020, 3, 1),
        None,
    )
    assert set(Membership.objects.values_list("unit__code", "person__code", "year")) == {
        ("XA01", "CB1001", 2023),
        ("SGD", "CB0001", 2023),
    }

    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs.count("history.award_imported") == 4
    assert verbs.count("history.rating_imported") == 3
    assert verbs.count("history.initiative_imported") == 1
    assert verbs.count("history.discipline_imported") == 1
    assert verbs.count("history.membership_imported") == 2
    assert verbs.count("unit.imported_create") == 1 and verbs.count("person.imported_create") == 1
    event = AuditEvent.objects.get(verb="history.award_imported", object_id=str(ldtt.pk))
    assert event.data["award_code"] == "LDTT" and event.data["row"] == 2
    assert audit_verify().ok
    summary = _("Sheet %(sheet)s: %(summary)s") % {
        "sheet": "awards",
        "summary": _(
            "%(rows)s rows: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, "
            "%(errors)s with errors."
        )
        % {"rows": 4, "create": 4, "update": 0, "unchanged": 0, "errors": 0},
    }
    assert summary in output


def test_reimport_changes_nothing(org, household, write_file):
    path = write_file(workbook(full_sheets()))
    run(path)
    before = history_state()

    preview = imports.history_preview(path)
    assert not preview.has_errors
    assert (preview.to_create, preview.to_update, preview.unchanged) == (0, 0, 13)
    run(path)
    assert history_state() == before  # same rows, not one more audit event


def test_reimport_updates_what_changed(org, household, write_file):
    run(write_file(workbook(full_sheets())))
    sheets = full_sheets()
    sheets["ratings"][0] = ("person", "CB1001", 2023, "good")
    sheets["awards"][0] = ("person", "CB1001", "LDTT", 2023, "regular", "12/QĐ-UBND", "21/12/2023")
    sheets["initiatives"][0] = ("CB1001", "Số hoá hồ sơ thi đua", "province", 2023, "3/QĐ-SK")
    sheets["disciplines"][0] = ("CB0002", "reprimand", "01/03/2020", "01/03/2021")
    path = write_file(workbook(sheets), "b.xlsx")
    preview = imports.history_preview(path)
    assert (preview.to_create, preview.to_update) == (0, 4)
    events = AuditEvent.objects.count()

    run(path)
    assert AuditEvent.objects.count() == events + 4
    mai = Person.objects.get(code="CB1001")
    assert Rating.objects.get(person=mai, year=2023).rating == "good"
    assert Rating.objects.filter(person=mai).count() == 1
    assert AwardRecord.objects.get(person=mai).decision_date == dt.date(2023, 12, 21)
    initiative = Initiative.objects.get()
    assert initiative.scope == "province" and list(initiative.authors.all()) == [mai]
    assert Discipline.objects.get().end == dt.date(2021, 3, 1)
    event = AuditEvent.objects.get(verb="history.initiative_updated")
    assert event.data["person_codes"] == [["CB0001", "CB1001"], ["CB1001"]]
    assert AuditEvent.objects.get(verb="history.rating_updated").data["rating"] == ["excellent", "good"]


def test_award_from_a_decision_is_not_changed_by_an_import(org, write_file):
    AwardRecord.objects.create(
        person=org.person_a,
        award_type=AwardType.objects.get(code="LDTT"),
        year=2024,
        decision_number="1/QĐ",
        source=AwardRecord.Source.DECISION,
    )
    same = write_file(workbook({"awards": [("person", "CB0001", "LDTT", 2024, "regular", "1/QĐ", None)]}))
    assert imports.history_preview(same).unchanged == 1
    changed = write_file(workbook({"awards": [("person", "CB0001", "LDTT", 2024, "regular", "1/QĐ", "02/01/2025")]}))
    preview = imports.history_preview(changed)
    assert _("This award was recorded from an award decision in the system; the import does not change it.") in (
        preview.sheets[0].rows[0].errors
    )


def test_dry_run_writes_nothing(org, household, write_file):
    before = history_state()
    output = run(write_file(workbook(full_sheets())), "--dry-run")
    assert history_state() == before
    assert _("Dry run: nothing was saved.") in output


# Malformed workbooks --------------------------------------------------------------------------------


def _row_error(sheet, row, message):
    return _("Sheet %(sheet)s, row %(row)s: %(error)s") % {"sheet": sheet, "row": row, "error": message}


def _award(*, code="LDTT", year=2023, kind="regular", subject=("person", "CB0001"), number="1/QĐ", date=None):
    return (*subject, code, year, kind, number, date)


GOOD_UNITS = {"units": [("XA01", "Xã Hoà Bình", "commune", "T01")]}


def _malformed_cases():
    next_year = timezone.localdate().year + 1
    return {
        "unknown award code": (
            {**GOOD_UNITS, "awards": [_award(), _award(code="LDXX", number="2/QĐ")]},
            [
                _row_error(
                    "awards",
                    3,
                    _("Unknown award code %(code)s: the instructions sheet of the template lists the codes.")
                    % {"code": "LDXX"},
                )
            ],
        ),
        "bad year": (
            {**GOOD_UNITS, "ratings": [("person", "CB0001", 1900, "good"), ("person", "CB0001", "năm 2020", "good")]},
            [
                _row_error(
                    "ratings",
                    row,
                    _("Column %(column)s: %(value)s is not a year between %(first)s and %(last)s.")
                    % {"column": "year", "value": value, "first": 1945, "last": next_year},
                )
                for row, value in ((2, "1900"), (3, "năm 2020"))
            ],
        ),
        "year after next year": (
            {"members": [("SGD", "CB0001", next_year + 1)]},
            [
                _row_error(
                    "members",
                    2,
                    _("Column %(column)s: %(value)s is not a year between %(first)s and %(last)s.")
                    % {"column": "year", "value": next_year + 1, "first": 1945, "last": next_year},
                )
            ],
        ),
        "unknown person": (
            {
                **GOOD_UNITS,
                "awards": [_award(subject=("person", "CB9999"))],
                "disciplines": [("CB9998", "warning", "01/01/2020", None)],
            },
            [
                _row_error(
                    "awards",
                    2,
                    _("Person code %(code)s exists neither in this workbook nor in the system.") % {"code": "CB9999"},
                ),
                _row_error(
                    "disciplines",
                    2,
                    _("Person code %(code)s exists neither in this workbook nor in the system.") % {"code": "CB9998"},
                ),
            ],
        ),
        "unknown author of an initiative": (
            {"initiatives": [("CB0001;CB9999", "Sáng kiến", "unit", 2023, "1/SK")]},
            [
                _row_error(
                    "initiatives",
                    2,
                    _("Person code %(code)s exists neither in this workbook nor in the system.") % {"code": "CB9999"},
                )
            ],
        ),
        "duplicate rows": (
            {**GOOD_UNITS, "awards": [_award(), _award(kind="sudden"), _award(number="2/QĐ")]},
            [
                _row_error(
                    "awards",
                    row,
                    _("The same record appears more than once in this sheet (rows %(rows)s).") % {"rows": "2, 3"},
                )
                for row in (2, 3)
            ],
        ),
        "duplicate members": (
            {"members": [("SGD", "CB0001", 2023), ("SGD", "CB0001", 2023)]},
            [_("The same record appears more than once in this sheet (rows %(rows)s).") % {"rows": "2, 3"}],
        ),
        "unknown sheet name": (
            {**GOOD_UNITS, "award": [_award()]},
            [
                _("Unknown sheet %(name)s: the sheets of a history workbook are %(allowed)s (and %(guide)s, ignored).")
                % {"name": "award", "allowed": ", ".join(imports.SHEETS), "guide": "huong_dan"}
            ],
        ),
        "no known sheet": (
            {"huong_dan": [("x",)]},
            [_("The workbook has none of the sheets %(allowed)s.") % {"allowed": ", ".join(imports.SHEETS)}],
        ),
        "wrong header": (
            {**GOOD_UNITS, "ratings": [("person", "CB0001", 2023, "good")]},
            [
                _("Sheet %(sheet)s: %(error)s")
                % {
                    "sheet": "ratings",
                    "error": " ".join(
                        [
                            _("The first row must hold exactly these columns: %(columns)s.")
                            % {"columns": ", ".join(HEADERS["ratings"])},
                            _("Missing: %(columns)s.") % {"columns": "rating"},
                            _("Not expected: %(columns)s.") % {"columns": "xep_loai"},
                        ]
                    ),
                }
            ],
        ),
        "kind not allowed for the award": (
            {"awards": [_award(kind="sudden")]},
            [
                _row_error(
                    "awards",
                    2,
                    _("Kind %(kind)s is not allowed for award %(code)s; allowed: %(allowed)s.")
                    % {"kind": "sudden", "code": "LDTT", "allowed": "regular"},
                )
            ],
        ),
        "award not for this subject type": (
            {"awards": [_award(code="LDTT", subject=("unit", "SGD"))]},
            [
                _row_error(
                    "awards",
                    2,
                    _("Award %(code)s is not granted to subject type %(type)s; it is for: %(allowed)s.")
                    % {"code": "LDTT", "type": "unit", "allowed": "person"},
                )
            ],
        ),
        "decision before the award year": (
            {"awards": [_award(date="31/12/2022")]},
            [
                _row_error(
                    "awards",
                    2,
                    _("The decision date %(date)s is before the award year %(year)s.")
                    % {"date": "31/12/2022", "year": 2023},
                )
            ],
        ),
        "bad dates": (
            {
                "disciplines": [
                    ("CB0001", "warning", "30/02/2020", None),
                    ("CB0001", "reprimand", "01/03/2021", "01/01/2021"),
                ]
            },
            [
                _row_error(
                    "disciplines",
                    2,
                    _("Column %(column)s: %(value)s is not a date; write it as dd/mm/yyyy.")
                    % {"column": "start_date", "value": "30/02/2020"},
                ),
                _row_error(
                    "disciplines",
                    3,
                    _("The end date %(end)s is before the start date %(start)s.")
                    % {"end": "01/01/2021", "start": "01/03/2021"},
                ),
            ],
        ),
        "person of the people sheet in a unit nobody has": (
            {
                "people": [("CB1001", "Trần Thị Mai", "female", None, "XA77", "", "")],
                "members": [("XA77", "CB1001", 2023)],
            },
            [
                _row_error("people", 2, _("Unit code %(code)s does not exist in the system.") % {"code": "XA77"}),
                _row_error(
                    "members",
                    2,
                    _("Unit code %(code)s exists neither in this workbook nor in the system.") % {"code": "XA77"},
                ),
            ],
        ),
        "5 MB junk file": (
            os.urandom(settings.IMPORT_MAX_BYTES),
            [_("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again.")],
        ),
    }


MALFORMED_CASES = list(_malformed_cases())
WRONG_HEADERS = {"ratings": ["subject_type", "subject_code", "year", "xep_loai"]}


@pytest.mark.parametrize("case", MALFORMED_CASES)
def test_malformed_workbook_is_refused_with_row_messages_and_writes_nothing(case, org, household, write_file):
    content, expected = _malformed_cases()[case]
    if isinstance(content, dict):
        content = workbook(content, WRONG_HEADERS if case == "wrong header" else None)
    path = write_file(content)
    before = history_state()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_history", path, stdout=io.StringIO(), stderr=err)
    for message in expected:
        assert message in err.getvalue()
    with pytest.raises(imports.ImportRejected):
        imports.history_apply(by=None, source=path)
    assert history_state() == before


# Upload pages ----------------------------------------------------------------------------------------


def _upload(client, content, name="lich-su.xlsx"):
    return client.post(
        reverse("history_import_preview"), {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def _stored_files(media):
    folder = media / "imports"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_preview_shows_row_errors_and_offers_no_confirm(org, client, admin_user, media):
    client.force_login(admin_user)
    before = history_state()
    response = _upload(client, workbook({"awards": [_award(), _award(code="LDXX", number="2/QĐ")]}))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        _("Unknown award code %(code)s: the instructions sheet of the template lists the codes.") % {"code": "LDXX"}
        in page
    )
    assert "1/QĐ" in page  # the good row is listed too
    assert 'name="token"' not in page
    assert _stored_files(media) == [] and history_state() == before


def test_upload_preview_then_confirm_imports_once(org, household, client, admin_user, media):
    client.force_login(admin_user)
    response = _upload(client, workbook(full_sheets()))
    assert response.status_code == 200
    token = response.context["token"]
    assert token and f'value="{token}"' in response.content.decode()
    assert not Person.objects.filter(code="CB1001").exists()  # nothing before the confirmation

    response = client.post(reverse("history_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("history_import_start")
    assert AwardRecord.objects.filter(person__code="CB1001").exists()
    assert AuditEvent.objects.filter(verb="history.award_imported", actor=admin_user).count() == 4
    assert _stored_files(media) == []
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    expected = _("Import finished: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
    assert expected % {"create": 13, "update": 0, "unchanged": 0} in notes

    before = history_state()
    response = client.post(reverse("history_import_confirm"), {"token": token}, follow=True)
    assert _("This import is unknown: upload the file again.") in response.content.decode()
    assert history_state() == before


def test_token_of_another_admin_is_refused(org, client, admin_user, media):
    client.force_login(admin_user)
    token = _upload(client, workbook({"awards": [_award()]})).context["token"]
    client.force_login(factories.make_user("admin2", is_superuser=True))
    response = client.post(reverse("history_import_confirm"), {"token": token}, follow=True)
    assert _("This import is unknown: upload the file again.") in response.content.decode()
    assert not AwardRecord.objects.exists()


def test_token_of_the_units_import_is_not_a_history_token(org, client, admin_user, media):
    client.force_login(admin_user)
    content = workbook({"units": [("XA01", "Xã Hoà Bình", "commune", "T01")]})
    token = client.post(
        reverse("import_preview"), {"kind": "units", "file": SimpleUploadedFile("u.xlsx", content)}
    ).context["token"]
    response = client.post(reverse("history_import_confirm"), {"token": token}, follow=True)
    assert _("This import is unknown: upload the file again.") in response.content.decode()


def test_confirm_checks_again(org, client, admin_user, media):
    """The person was deleted between preview and confirm: refused, nothing written."""
    person = factories.make_person(org.unit_a, code="CB7777")
    client.force_login(admin_user)
    token = _upload(client, workbook({"awards": [_award(subject=("person", "CB7777"))]})).context["token"]
    person.delete()
    before = history_state()
    response = client.post(reverse("history_import_confirm"), {"token": token})
    assert response.status_code == 200
    assert _("Person code %(code)s exists neither in this workbook nor in the system.") % {"code": "CB7777"} in (
        response.content.decode()
    )
    assert history_state() == before


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "officer_b", "secretariat", "member"])
def test_history_import_is_for_admins_only(persona, org, as_persona, media):
    client = as_persona(persona)
    assert client.get(reverse("history_import_start")).status_code == 403
    assert client.get(reverse("history_import_template")).status_code == 403
    assert _upload(client, workbook({"awards": [_award()]})).status_code == 403
    assert client.post(reverse("history_import_confirm"), {"token": "x" * 32}).status_code == 403
    assert _stored_files(media) == [] and not AwardRecord.objects.exists()


def test_anonymous_is_sent_to_login(client, media):
    for response in (client.get(reverse("history_import_start")), client.post(reverse("history_import_preview"))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_start_page_and_menu_link(org, client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("history_import_start")).content.decode()
    assert reverse("history_import_template") in page and 'enctype="multipart/form-data"' in page
    assert f'href="{reverse("history_import_start")}"' in client.get(reverse("import_start")).content.decode()


def _template(client):
    response = client.get(reverse("history_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.content


def test_template_has_every_sheet_and_imports_against_the_demo_province(org, client, admin_user, media):
    factories.make_unit("Tỉnh Sông Hồng (demo)", code="SH", kind=Unit.Kind.PROVINCE, level=Unit.Level.PROVINCE)
    client.force_login(admin_user)
    content = _template(client)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == [*imports.SHEETS, "huong_dan"]
    for name, columns in HEADERS.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == columns and len(rows) == 2
    guide = " ".join(str(value) for row in book["huong_dan"].iter_rows(values_only=True) for value in row if value)
    for word in ("CSTD_TINH", "Chiến sĩ thi đua cơ sở", "excellent", "dismissal", "national", "seniority"):
        assert word in guide

    preview = imports.history_preview(io.BytesIO(content))  # the instructions sheet is ignored
    assert not preview.has_errors and preview.to_create == 7
    token = _upload(client, content).context["token"]
    client.post(reverse("history_import_confirm"), {"token": token})
    assert AwardRecord.objects.get().person.code == "VD000001"


def test_unedited_template_elsewhere_gives_a_clear_error(org, client, admin_user, media):
    client.force_login(admin_user)
    response = _upload(client, _template(client))
    assert response.status_code == 200
    message = _("Parent unit code %(code)s exists neither in this file nor in the system.") % {"code": "SH"}
    assert message in response.content.decode()
    assert not response.context["token"]


# Scale -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [30, 300])
def test_preview_queries_do_not_grow_with_rows(size, org, household, django_assert_max_num_queries):
    people = [factories.make_person(org.unit_a, code=f"CB{i:05d}") for i in range(size // 3)]
    rows = []
    for i in range(size):
        kind = i % 3
        if kind == 0:
            rows.append(_award(subject=("person", people[i // 3].code), number=f"{i}/QĐ"))
        elif kind == 1:
            rows.append(_award(code="TTLDTT", subject=("unit", "SGD"), number=f"{i}/QĐ"))
        else:
            rows.append(_award(code="GK", subject=("household", "HGD01"), number=f"{i}/QĐ"))
    content = workbook({"awards": rows})
    with django_assert_max_num_queries(8):
        preview = imports.history_preview(io.BytesIO(content))
    assert not preview.has_errors and preview.to_create == size
