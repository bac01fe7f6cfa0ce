"""`manage.py check_eligibility`: JSON with exactly the documented keys, a workbook that opens, clear errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests import factories
from tests.awards import factories as h

YEAR = 2026
pytestmark = pytest.mark.usefixtures("catalogue")


def run(*args) -> str:
    out = io.StringIO()
    call_command("check_eligibility", *args, stdout=out)
    return out.getvalue()


def test_json_for_one_person_and_award(org):
    h.rating(org.person_a, YEAR, "good")
    data = json.loads(run("--year", str(YEAR), "--award", "LDTT", "--person", org.person_a.code))
    assert data == [
        {
            "subject_type": "person",
            "subject_code": "CB0001",
            "award_code": "LDTT",
            "year": YEAR,
            "status": "eligible",
            "reasons": [
                {"rule": "rating", "ok": True, "message": data[0]["reasons"][0]["message"]},
                {"rule": "no_discipline", "ok": True, "message": data[0]["reasons"][1]["message"]},
            ],
        }
    ]
    assert str(YEAR) in data[0]["reasons"][0]["message"]


def test_json_without_award_lists_every_type_that_fits(org):
    household = factories.make_household(org.unit_a)
    data = json.loads(run("--year", str(YEAR), "--household", household.code))
    assert [(item["award_code"], item["status"]) for item in data] == [("GK", "review"), ("GDVH", "review")]


def test_json_without_subject_checks_everyone(org, tmp_path):
    factories.make_household(org.unit_b)
    output = tmp_path / "verdicts.json"
    assert run("--year", str(YEAR), "--award", "GK", "--output", str(output)) == ""
    data = json.loads(output.read_text(encoding="utf-8"))
    by_type = {}
    for item in data:
        by_type.setdefault(item["subject_type"], set()).add(item["subject_code"])
        assert set(item) == {"subject_type", "subject_code", "award_code", "year", "status", "reasons"}
    assert by_type["person"] == {"CB0001", "CB0002"}
    assert {"T01", "SGD", "LQD", "SYT"} <= by_type["unit"]
    assert len(by_type["household"]) == 1


def test_xlsx_opens_with_one_row_per_verdict(org, tmp_path):
    h.rating(org.person_a, YEAR, "completed")
    path = tmp_path / "ket-qua.xlsx"
    run("--year", str(YEAR), "--award", "LDTT", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("subject_type", "subject_code", "name", "award_code", "status", "reasons")
    by_code = {row[1]: row for row in rows[1:]}
    assert set(by_code) == {"CB0001", "CB0002"}
    assert by_code["CB0001"][2] == "Nguyễn Thị Hoà"
    assert by_code["CB0001"][4] == "ineligible"
    assert len(by_code["CB0001"][5].split("\n")) == 2


@pytest.mark.parametrize(
    ("args", "cited"),
    [
        (["--year", "1900"], "1900"),
        (["--year", "2101"], "2101"),
        (["--year", str(YEAR), "--award", "NOPE"], "NOPE"),
        (["--year", str(YEAR), "--person", "KHONG-CO"], "KHONG-CO"),
        (["--year", str(YEAR), "--unit", "KHONG-CO"], "KHONG-CO"),
        (["--year", str(YEAR), "--household", "KHONG-CO"], "KHONG-CO"),
        (["--year", str(YEAR), "--award", "TTLDTT", "--person", "CB0001"], "TTLDTT"),
        (["--year", str(YEAR), "--format", "xlsx"], "--output"),
    ],
)
def test_bad_input_is_refused(org, args, cited):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert cited in str(error.value)


def test_two_subjects_are_refused(org):
    with pytest.raises(CommandError):
        run("--year", str(YEAR), "--person", "CB0001", "--unit", "SGD")
