"""Excel import of units and people: commands, upload pages, malformed files, all-or-nothing."""

import datetime as dt
import io
import os
import zipfile

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_verify
from organizations import imports
from organizations.models import Employment, Person, Unit
from tests import factories

UNIT_HEADER = ["code", "name", "kind", "parent_code"]
PERSON_HEADER = ["code", "full_name", "gender", "birth_date", "unit_code", "position", "position_kind"]


def xlsx_bytes(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def write_file(tmp_path):
    def write(content: bytes, name: str = "import.xlsx") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def database_state():
    """What a user could notice changing: every unit, person and employment row, and the audit trail."""
    return {
        "units": list(Unit.objects.values_list("code", "name", "kind", "level", "parent_id", "path").order_by("code")),
        "people": list(
            Person.objects.values_list("code", "full_name", "gender", "birth_date", "unit_id", "position").order_by(
                "code"
            )
        ),
        "employments": list(Employment.objects.values_list("person_id", "unit_id", "start", "end").order_by("pk")),
        "audit_events": AuditEvent.objects.count(),
    }


def assert_tree_consistent():
    units = {unit.pk: unit for unit in Unit.objects.all()}
    for unit in units.values():
        prefix = units[unit.parent_id].path if unit.parent_id else ""
        assert unit.path == f"{prefix}{unit.pk:08d}/", unit.code


# Units -----------------------------------------------------------------------------------------------


def test_units_import_children_before_parents(org, write_file):
    path = write_file(
        xlsx_bytes(
            UNIT_HEADER,
            [
                ("TH01", "Thôn Đông", "Thôn, tổ dân phố", "XA01"),  # its parent comes two rows later
                ("TR01", "Trường Tiểu học Hoà Bình", "school", "XA01"),
                ("XA01", "Xã Hoà Bình", "XA, PHUONG, DAC KHU", "T01"),  # Vietnamese label, no accents
                ("BO01", "Bộ Nội vụ", "ministry", None),
            ],
        )
    )
    out = io.StringIO()
    call_command("import_units", path, stdout=out)

    commune = Unit.objects.get(code="XA01")
    hamlet = Unit.objects.get(code="TH01")
    assert commune.parent == org.province and commune.kind == Unit.Kind.COMMUNE
    assert commune.level == Unit.Level.COMMUNE
    assert hamlet.parent == commune and hamlet.kind == Unit.Kind.HAMLET and hamlet.level == Unit.Level.GRASSROOTS
    assert hamlet.path.startswith(commune.path) and commune.path.startswith(org.province.path)
    ministry = Unit.objects.get(code="BO01")
    assert ministry.parent is None and ministry.level == Unit.Level.PROVINCE
    assert commune.search_name == "xa01 xa hoa binh"
    assert_tree_consistent()
    events = AuditEvent.objects.filter(verb="unit.imported_create")
    assert sorted(event.data["code"] for event in events) == ["BO01", "TH01", "TR01", "XA01"]
    assert AuditEvent.objects.get(verb="unit.imported_create", object_id=str(hamlet.pk)).data["parent_code"] == "XA01"


def test_units_reimport_updates_and_never_duplicates(org, write_file):
    rows = [("XA01", "Xã Hoà Bình", "commune", "T01"), ("TH01", "Thôn Đông", "hamlet", "XA01")]
    path = write_file(xlsx_bytes(UNIT_HEADER, rows))
    call_command("import_units", path, stdout=io.StringIO())
    before = database_state()

    preview = imports.units_preview(path)
    assert (preview.to_create, preview.to_update, preview.unchanged) == (0, 0, 2)
    call_command("import_units", path, stdout=io.StringIO())
    assert database_state() == before  # no new units, no new audit events

    renamed = write_file(xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình Mới", "commune", "T01"), rows[1]]), "b.xlsx")
    call_command("import_units", renamed, stdout=io.StringIO())
    assert Unit.objects.filter(code="XA01").count() == 1
    assert Unit.objects.get(code="XA01").name == "Xã Hoà Bình Mới"
    assert Unit.objects.get(code="XA01").search_name == "xa01 xa hoa binh moi"  # the unit search finds the new name
    event = AuditEvent.objects.get(verb="unit.imported_update")
    assert event.data["name"] == ["Xã Hoà Bình", "Xã Hoà Bình Mới"]
    assert "kind" not in event.data


def test_moving_an_existing_unit_rewrites_its_subtree(org, write_file):
    grandchild = factories.make_unit("Tổ Toán", code="TOAN", parent=org.unit_a_child)
    # SGD goes under SYT; LQD, its child, leaves it for the province; TOAN stays under LQD.
    path = write_file(
        xlsx_bytes(
            UNIT_HEADER,
            [("SGD", org.unit_a.name, "department", "SYT"), ("LQD", org.unit_a_child.name, "school", "T01")],
        )
    )
    call_command("import_units", path, stdout=io.StringIO())
    org.unit_a.refresh_from_db()
    org.unit_a_child.refresh_from_db()
    grandchild.refresh_from_db()
    assert org.unit_a.parent == org.unit_b
    assert org.unit_a_child.parent == org.province
    assert grandchild.path == f"{org.unit_a_child.path}{grandchild.pk:08d}/"
    assert_tree_consistent()
    assert org.unit_a.level == Unit.Level.PROVINCE  # kept on update
    event = AuditEvent.objects.get(verb="unit.imported_update", object_id=str(org.unit_a.pk))
    assert event.data["parent_code"] == ["T01", "SYT"]


def test_swapping_a_parent_and_its_child(org, write_file):
    """LQD is under SGD today; the file puts SGD under LQD and LQD under the province: no cycle in the end."""
    path = write_file(
        xlsx_bytes(
            UNIT_HEADER,
            [("SGD", org.unit_a.name, "department", "LQD"), ("LQD", org.unit_a_child.name, "school", "T01")],
        )
    )
    call_command("import_units", path, stdout=io.StringIO())
    org.unit_a.refresh_from_db()
    assert org.unit_a.parent == org.unit_a_child
    assert_tree_consistent()


def test_dry_run_writes_nothing(org, write_file):
    path = write_file(xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "T01")]))
    before = database_state()
    out = io.StringIO()
    call_command("import_units", path, "--dry-run", stdout=out)
    assert database_state() == before
    assert _("Dry run: nothing was saved.") in out.getvalue()
    assert "1" in out.getvalue()


def _unit_error_cases(org_codes):
    max_bytes = settings.IMPORT_MAX_BYTES
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return {
        "wrong columns": (
            xlsx_bytes(["ma", "ten", "kind", "parent_code"], [("XA01", "Xã Hoà Bình", "commune", "T01")]),
            [
                _("Missing: %(columns)s.") % {"columns": "code, name"},
                _("Not expected: %(columns)s.") % {"columns": "ma, ten"},
            ],
        ),
        "missing column": (
            xlsx_bytes(["code", "name", "kind"], [("XA01", "Xã Hoà Bình", "commune")]),
            [_("Missing: %(columns)s.") % {"columns": "parent_code"}],
        ),
        "duplicate codes": (
            xlsx_bytes(
                UNIT_HEADER,
                [("XA01", "Xã Hoà Bình", "commune", "T01"), ("XA01", "Xã Hoà An", "commune", "T01")],
            ),
            [_("Code %(code)s appears more than once in the file (rows %(rows)s).") % {"code": "XA01", "rows": "2, 3"}],
        ),
        "unknown parent": (
            xlsx_bytes(
                UNIT_HEADER,
                [("XA01", "Xã Hoà Bình", "commune", "T01"), ("XA02", "Xã Hoà An", "commune", "T99")],
            ),
            [
                _("Row %(row)s: %(error)s")
                % {
                    "row": 3,
                    "error": _("Parent unit code %(code)s exists neither in this file nor in the system.")
                    % {"code": "T99"},
                }
            ],
        ),
        "cycle in the file": (
            xlsx_bytes(UNIT_HEADER, [("A1", "Đơn vị A", "other", "B1"), ("B1", "Đơn vị B", "other", "A1")]),
            [_("Unit %(code)s would become its own ancestor: %(cycle)s.") % {"code": "A1", "cycle": "A1 → B1 → A1"}],
        ),
        "own parent": (
            xlsx_bytes(UNIT_HEADER, [("A1", "Đơn vị A", "other", "A1")]),
            [_("Unit %(code)s would become its own ancestor: %(cycle)s.") % {"code": "A1", "cycle": "A1 → A1"}],
        ),
        "cycle through the database": (
            # LQD is a child of SGD in the database; putting SGD under LQD alone closes a loop.
            xlsx_bytes(UNIT_HEADER, [("SGD", "Sở Giáo dục và Đào tạo", "department", "LQD")]),
            [
                _("Unit %(code)s would become its own ancestor: %(cycle)s.")
                % {"code": "SGD", "cycle": "SGD → LQD → SGD"}
            ],
        ),
        "unknown kind and empty name": (
            xlsx_bytes(UNIT_HEADER, [("XA01", None, "planet", "T01")]),
            [
                _("Column %(column)s is empty.") % {"column": "name"},
                _("Unknown unit kind %(value)s. Allowed: %(allowed)s.")
                % {"value": "planet", "allowed": ", ".join(Unit.Kind.values)},
            ],
        ),
        "no data rows": (xlsx_bytes(UNIT_HEADER, []), [_("The file has no data rows below the header row.")]),
        "5 MB junk file": (
            os.urandom(max_bytes),
            [_("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again.")],
        ),
        "junk file over the size limit": (
            os.urandom(max_bytes + 1),
            [_("The file is larger than %(limit)s MB. Split it into smaller files.") % {"limit": "5"}],
        ),
        "csv file": (
            "code,name,kind,parent_code\nXA01,Xã Hoà Bình,commune,T01\n".encode(),
            [_("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again.")],
        ),
        "zip that is not a workbook": (
            zipped.getvalue(),
            [_("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again.")],
        ),
    }


UNIT_ERROR_CASES = list(_unit_error_cases(None))


@pytest.mark.parametrize("case", UNIT_ERROR_CASES)
def test_malformed_units_file_is_refused_and_changes_nothing(case, org, write_file):
    content, expected_messages = _unit_error_cases(None)[case]
    path = write_file(content)
    before = database_state()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_units", path, stdout=io.StringIO(), stderr=err)
    assert database_state() == before
    output = err.getvalue()
    for message in expected_messages:
        assert message in output
    assert str(refused.value).startswith(str(imports.ImportRejected(imports.units_preview(path)))[:20])
    with pytest.raises(imports.ImportRejected):
        imports.units_apply(by=None, source=path)
    assert database_state() == before


def test_one_bad_row_among_good_ones_writes_nothing(org, write_file):
    rows = [(f"XA{i:02d}", f"Xã số {i}", "commune", "T01") for i in range(20)] + [("XA99", "Xã lạ", "commune", "T99")]
    path = write_file(xlsx_bytes(UNIT_HEADER, rows))
    before = database_state()
    with pytest.raises(CommandError):
        call_command("import_units", path, stdout=io.StringIO(), stderr=io.StringIO())
    assert database_state() == before


# People ----------------------------------------------------------------------------------------------


def test_people_import_creates_people_with_their_employment(org, write_file):
    path = write_file(
        xlsx_bytes(
            PERSON_HEADER,
            [
                (
                    "CB1001",
                    "Trần Thị Mai",
                    "Nữ",
                    dt.datetime(1980, 3, 4),
                    "SGD",
                    "Giám đốc",
                    "Lãnh đạo, quản lý",
                ),
                ("CB1002", "Phạm Văn Nam", "nam", "17/05/1985", "LQD", "Giáo viên", "direct_worker"),
                (1003, "Lê Khánh", "other", "1990-01-02", "SYT", None, None),  # a code typed as a number
            ],
        )
    )
    call_command("import_people", path, stdout=io.StringIO())
    mai = Person.objects.get(code="CB1001")
    assert (mai.gender, mai.birth_date, mai.unit, mai.position_kind) == (
        Person.Gender.FEMALE,
        dt.date(1980, 3, 4),
        org.unit_a,
        Person.PositionKind.LEADER,
    )
    assert mai.search_name == "tran thi mai"
    nam = Person.objects.get(code="CB1002")
    assert (nam.gender, nam.birth_date, nam.unit) == (
        Person.Gender.MALE,
        dt.date(1985, 5, 17),
        org.unit_a_child,
    )
    khanh = Person.objects.get(code="1003")
    assert khanh.position_kind == Person.PositionKind.OTHER and khanh.birth_date == dt.date(1990, 1, 2)
    for person in (mai, nam, khanh):
        (employment,) = person.employments.all()
        assert (employment.unit, employment.start, employment.end) == (
            person.unit,
            timezone.localdate(),
            None,
        )
    assert AuditEvent.objects.filter(verb="person.imported_create").count() == 3
    assert audit_verify().ok


def test_people_moved_by_import_keep_their_employment_history(org, write_file):
    first = write_file(
        xlsx_bytes(PERSON_HEADER, [("CB1001", "Trần Thị Mai", "female", None, "SGD", "Chuyên viên", "other")])
    )
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        call_command("import_people", first, stdout=io.StringIO())
    moved = write_file(
        xlsx_bytes(PERSON_HEADER, [("CB1001", "Trần Thị Mai", "female", None, "SYT", "Phó Giám đốc", "leader")]),
        "b.xlsx",
    )
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        call_command("import_people", moved, stdout=io.StringIO())
        # The same file again: nothing to do, no new history row, no new audit event.
        before = database_state()
        call_command("import_people", moved, stdout=io.StringIO())
        assert database_state() == before

    person = Person.objects.get(code="CB1001")
    assert Person.objects.filter(code="CB1001").count() == 1
    history = list(person.employments.order_by("start").values_list("unit__code", "position", "start", "end"))
    assert history == [
        ("SGD", "Chuyên viên", dt.date(2026, 1, 5), dt.date(2026, 3, 2)),
        ("SYT", "Phó Giám đốc", dt.date(2026, 3, 2), None),
    ]
    event = AuditEvent.objects.get(verb="person.imported_update")
    assert event.data["unit_code"] == ["SGD", "SYT"]
    assert event.data["position"] == ["Chuyên viên", "Phó Giám đốc"]
    assert "full_name" not in event.data


def test_person_without_history_gets_a_current_employment_when_moved(org, write_file):
    path = write_file(
        xlsx_bytes(PERSON_HEADER, [("CB0001", "Nguyễn Thị Hoà", "female", "17/05/1985", "SYT", "", "other")])
    )
    call_command("import_people", path, stdout=io.StringIO())
    org.person_a.refresh_from_db()
    assert org.person_a.unit == org.unit_b
    assert list(org.person_a.employments.values_list("unit__code", "end")) == [("SYT", None)]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ("CB1", "An", "female", None, "ZZZ", "", ""),
            lambda: _("Unit code %(code)s does not exist in the system.") % {"code": "ZZZ"},
        ),
        (
            ("CB1", "An", "nữ giới", None, "SGD", "", ""),
            lambda: (
                _("Unknown gender %(value)s. Allowed: %(allowed)s.")
                % {"value": "nữ giới", "allowed": "male, female, other"}
            ),
        ),
        (
            ("CB1", "An", "female", "31/02/1990", "SGD", "", ""),
            lambda: _("Birth date %(value)s is not a date: write it as dd/mm/yyyy.") % {"value": "31/02/1990"},
        ),
        (
            ("CB1", "An", "female", "01/01/1850", "SGD", "", ""),
            lambda: _("Birth date %(value)s is not plausible.") % {"value": "01/01/1850"},
        ),
        (
            ("CB1", "An", "female", None, "SGD", "", "boss"),
            lambda: (
                _("Unknown position kind %(value)s. Allowed: %(allowed)s.")
                % {"value": "boss", "allowed": "leader, direct_worker, other"}
            ),
        ),
        (
            ("CB1", "A" * 151, "female", None, "SGD", "", ""),
            lambda: _("Column %(column)s is longer than %(max)s characters.") % {"column": "full_name", "max": 150},
        ),
    ],
)
def test_malformed_people_rows_are_refused(row, expected, org, write_file):
    good = ("CB2", "Bình", "male", None, "SGD", "", "")
    path = write_file(xlsx_bytes(PERSON_HEADER, [good, row]))
    before = database_state()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", path, stdout=io.StringIO(), stderr=err)
    assert _("Row %(row)s: %(error)s") % {"row": 3, "error": expected()} in err.getvalue()
    assert database_state() == before


def test_duplicate_person_codes_are_refused(org, write_file):
    rows = [("CB1", "An", "male", None, "SGD", "", ""), ("CB1", "An", "male", None, "SYT", "", "")]
    path = write_file(xlsx_bytes(PERSON_HEADER, rows))
    preview = imports.people_preview(path)
    assert preview.rows_with_errors == 2
    with pytest.raises(imports.ImportRejected):
        imports.people_apply(by=None, source=path)
    assert not Person.objects.filter(code="CB1").exists()


# Upload pages ----------------------------------------------------------------------------------------


def _upload(client, kind, content, name="import.xlsx"):
    return client.post(
        reverse("import_preview"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _stored_files(media):
    folder = media / "imports"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_preview_lists_row_errors_and_offers_no_confirm(org, client, admin_user, media):
    client.force_login(admin_user)
    before = database_state()
    content = xlsx_bytes(
        UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "T01"), ("XA02", "Xã Hoà An", "commune", "T99")]
    )
    response = _upload(client, "units", content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Xã Hoà Bình" in page and "Xã Hoà An" in page  # every row is listed
    assert _("Parent unit code %(code)s exists neither in this file nor in the system.") % {"code": "T99"} in page
    assert 'name="token"' not in page
    assert _stored_files(media) == []
    assert database_state() == before


def test_preview_of_a_file_that_is_not_xlsx(org, client, admin_user, media):
    client.force_login(admin_user)
    response = _upload(client, "people", b"%PDF-1.4 not a workbook", name="danh-sach.pdf")
    assert response.status_code == 200
    assert (
        _("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again.")
        in response.content.decode()
    )
    assert 'name="token"' not in response.content.decode()


def test_too_large_upload_is_refused_by_the_form(org, client, admin_user, media):
    client.force_login(admin_user)
    response = _upload(client, "units", os.urandom(settings.IMPORT_MAX_BYTES + 1))
    assert response.status_code == 400
    assert _("The file is larger than %(limit)s MB. Split it into smaller files.") % {"limit": "5"} in (
        response.content.decode()
    )
    assert _stored_files(media) == []


def test_upload_preview_then_confirm_imports(org, client, admin_user, media):
    client.force_login(admin_user)
    content = xlsx_bytes(
        UNIT_HEADER, [("TH01", "Thôn Đông", "hamlet", "XA01"), ("XA01", "Xã Hoà Bình", "commune", "T01")]
    )
    response = _upload(client, "units", content)
    assert response.status_code == 200
    token = response.context["token"]
    assert token and f'value="{token}"' in response.content.decode()
    assert _stored_files(media) == [f"{token}.xlsx"]
    assert not Unit.objects.filter(code__in=["TH01", "XA01"]).exists()  # nothing before the confirmation

    response = client.post(reverse("import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("import_start")
    assert Unit.objects.get(code="TH01").parent == Unit.objects.get(code="XA01")
    assert AuditEvent.objects.filter(verb="unit.imported_create", actor=admin_user).count() == 2
    assert _stored_files(media) == []
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert (
        _("Import finished: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
        % {
            "create": 2,
            "update": 0,
            "unchanged": 0,
        }
        in notes
    )

    # The token is used once.
    before = database_state()
    response = client.post(reverse("import_confirm"), {"token": token}, follow=True)
    assert _("This import is unknown: upload the file again.") in response.content.decode()
    assert database_state() == before


def test_people_upload_through_the_pages(org, client, admin_user, media):
    client.force_login(admin_user)
    content = xlsx_bytes(PERSON_HEADER, [("CB1001", "Trần Thị Mai", "Nữ", "04/03/1980", "SGD", "Giám đốc", "leader")])
    token = _upload(client, "people", content).context["token"]
    client.post(reverse("import_confirm"), {"token": token})
    assert Person.objects.get(code="CB1001").employments.get().unit == org.unit_a


def test_token_of_another_admin_is_refused(org, client, admin_user, media):
    client.force_login(admin_user)
    token = _upload(client, "units", xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "T01")])).context[
        "token"
    ]
    other_admin = factories.make_user("admin2", is_superuser=True)
    client.force_login(other_admin)
    response = client.post(reverse("import_confirm"), {"token": token}, follow=True)
    assert _("This import is unknown: upload the file again.") in response.content.decode()
    assert not Unit.objects.filter(code="XA01").exists()


def test_expired_token_is_refused(org, client, admin_user, media):
    client.force_login(admin_user)
    token = _upload(client, "units", xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "T01")])).context[
        "token"
    ]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.post(reverse("import_confirm"), {"token": token}, follow=True)
    assert _("This import has expired: upload the file again.") in response.content.decode()
    assert not Unit.objects.filter(code="XA01").exists()
    assert _stored_files(media) == []


def test_confirm_validates_again(org, client, admin_user, media):
    """The parent was deleted between preview and confirm: the import is refused and nothing is written."""
    parent = factories.make_unit("Đơn vị tạm", code="TAM")
    client.force_login(admin_user)
    token = _upload(client, "units", xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "TAM")])).context[
        "token"
    ]
    parent.delete()
    before = database_state()
    response = client.post(reverse("import_confirm"), {"token": token})
    assert response.status_code == 200
    assert _("Parent unit code %(code)s exists neither in this file nor in the system.") % {"code": "TAM"} in (
        response.content.decode()
    )
    assert database_state() == before
    assert _stored_files(media) == []


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "officer_b", "secretariat", "member"])
def test_import_actions_are_for_admins_only(persona, org, as_persona, media):
    client = as_persona(persona)
    content = xlsx_bytes(UNIT_HEADER, [("XA01", "Xã Hoà Bình", "commune", "T01")])
    assert _upload(client, "units", content).status_code == 403
    assert client.post(reverse("import_confirm"), {"token": "x" * 32}).status_code == 403
    assert client.get(reverse("import_start")).status_code == 403
    assert client.get(reverse("import_template", args=["units"])).status_code == 403
    assert not Unit.objects.filter(code="XA01").exists()
    assert _stored_files(media) == []


def test_anonymous_is_sent_to_login(client, media):
    response = client.post(reverse("import_preview"), {"kind": "units"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", ["units", "people"])
def test_template_download_passes_its_own_check(kind, org, client, admin_user, media):
    client.force_login(admin_user)
    response = client.get(reverse("import_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    data, guide = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert list(rows[0]) == list(imports.IMPORT_KINDS[kind].columns) and len(rows) == 2
    assert guide.title == _("Instructions")
    guide_text = " ".join(str(value) for row in guide.iter_rows(values_only=True) for value in row if value)
    assert ("hamlet" in guide_text) if kind == "units" else ("direct_worker" in guide_text)
    preview = imports.IMPORT_KINDS[kind].preview(io.BytesIO(response.content))
    assert not preview.has_errors and len(preview.rows) == 1


def test_unknown_template_kind_is_404(org, client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("import_template", args=["awards"])).status_code == 404


def test_start_page_offers_both_imports(org, client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("import_start")).content.decode()
    assert reverse("import_template", args=["units"]) in page
    assert reverse("import_template", args=["people"]) in page
    assert 'enctype="multipart/form-data"' in page


# Scale -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [20, 200])
def test_preview_queries_do_not_grow_with_rows(size, org, client, admin_user, media, django_assert_max_num_queries):
    for i in range(0, size, 2):  # half the rows update existing units
        factories.make_unit(f"Xã cũ {i}", code=f"XA{i:04d}", parent=org.province, kind=Unit.Kind.COMMUNE)
    units = xlsx_bytes(UNIT_HEADER, [(f"XA{i:04d}", f"Xã {i}", "commune", "T01") for i in range(size)])
    people = xlsx_bytes(
        PERSON_HEADER,
        [(f"CB{i:05d}", f"Người {i}", "male", "01/01/1980", "SGD", "", "") for i in range(size)],
    )
    with django_assert_max_num_queries(3):
        preview = imports.units_preview(io.BytesIO(units))
    assert (preview.to_create, preview.to_update) == (size // 2, size // 2)
    with django_assert_max_num_queries(3):
        assert imports.people_preview(io.BytesIO(people)).to_create == size

    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        response = _upload(client, "units", units)
    assert response.status_code == 200 and response.context["token"]
