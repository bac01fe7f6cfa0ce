"""Acceptance (2) of issue 4: a bloc of 8 units runs a year — pledge, self scores, cross-check, lock, ranking
with a tie flagged and settled, result recorded; the Excel export matches the screen; the PDF holds the units.
Also the query counts of the bloc pages at two sizes."""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import Bloc, BlocResult, ScoreCriterion, ScoreSheet
from campaigns.selectors import blocs as selectors
from campaigns.services import blocs as services
from organizations.models import Unit
from tests import factories
from thiduakt.lib import pdf, permissions

D = Decimal
GROUPS = [
    {
        "title": "I. Thực hiện nhiệm vụ chính trị",
        "criteria": [
            {"text": "Hoàn thành chỉ tiêu kế hoạch năm", "kind": ScoreCriterion.Kind.NORMAL, "max_points": D("60")},
            {"text": "Cải cách hành chính, chuyển đổi số", "kind": ScoreCriterion.Kind.NORMAL, "max_points": D("30")},
        ],
    },
    {
        "title": "II. Điểm thưởng, điểm trừ",
        "criteria": [
            {"text": "Được tặng Cờ thi đua", "kind": ScoreCriterion.Kind.BONUS, "max_points": D("10")},
            {"text": "Báo cáo chậm, sai quy định", "kind": ScoreCriterion.Kind.PENALTY, "max_points": D("5")},
        ],
    },
]
UNIT_NAMES = [
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
]


@dataclass
class BlocWorld:
    bloc: Bloc
    organiser: object
    units: list
    officers: list  # officers[i] is the emulation officer of units[i]

    def sheet(self, i) -> ScoreSheet:
        return ScoreSheet.objects.get(bloc=self.bloc, unit=self.units[i])

    def criteria(self) -> list[ScoreCriterion]:
        return list(ScoreCriterion.objects.filter(group__template=self.bloc.template).order_by("group__order", "order"))


def make_bloc(org, size=8, *, deadline_days=10, names=None) -> BlocWorld:
    """A bloc organised by the province, of `size` sibling units under it, each with its own officer;
    the first unit leads, the second deputises."""
    organiser = factories.make_user()
    permissions.grant_unit_role(organiser, Unit.Role.OFFICER, org.province)
    names = names or [f"Sở thử nghiệm {i + 1:02d}" for i in range(size)]
    units = [factories.make_unit(name, parent=org.province, level=Unit.Level.PROVINCE) for name in names[:size]]
    officers = []
    for unit in units:
        officer = factories.make_user()
        permissions.grant_unit_role(officer, Unit.Role.OFFICER, unit)
        officers.append(officer)
    template = services.template_create(
        by=organiser, organising_unit=org.province, name=f"Bảng điểm khối sở {factories._next()}", groups=GROUPS
    )
    today = timezone.localdate()
    bloc = services.bloc_create(
        by=organiser,
        name=f"Khối các sở quản lý nhà nước {factories._next()}",
        kind=Bloc.Kind.BLOC,
        year=today.year,
        organising_unit=org.province,
        members=units,
        leader=units[0],
        deputy=units[1],
        template=template,
        self_score_deadline=today + timedelta(days=deadline_days),
    )
    return BlocWorld(bloc=bloc, organiser=organiser, units=units, officers=officers)


def score_all(world: BlocWorld, scores: list[tuple]):
    """scores[i] = (a, b, bonus, penalty) self points of unit i, submitted and verified as they are (the leader
    checks the other sheets, the deputy the leader's own)."""
    criteria = world.criteria()
    for i, values in enumerate(scores):
        sheet = world.sheet(i)
        services.sheet_save_self(
            by=world.officers[i], sheet=sheet, points={c.pk: D(v) for c, v in zip(criteria, values, strict=True)}
        )
        services.sheet_submit(by=world.officers[i], sheet=sheet)
        checker = world.officers[1] if i == 0 else world.officers[0]
        services.sheet_verify(
            by=checker, sheet=sheet, verified={c.pk: (D(v), "") for c, v in zip(criteria, values, strict=True)}
        )


class TableCells(HTMLParser):
    """The text of each cell of the table with id="ranking", row by row (body rows only)."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._in_body, self._cell = [], False, False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "ranking") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table" and self._in_table:
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def screen_rows(html: str) -> list[list[str]]:
    parser = TableCells()
    parser.feed(html)
    return parser.rows


def vn_number(value) -> str:
    """How the screen writes points: whole numbers bare, others with two decimals after a Vietnamese comma."""
    if value is None:
        return ""
    value = D(str(value))
    text = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
    return text.replace(".", ",")


# The year, end to end ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bloc_of_eight_units_runs_a_year(org, client):
    world = make_bloc(org, names=UNIT_NAMES)
    bloc, units, officers = world.bloc, world.units, world.officers
    criteria = world.criteria()
    assert bloc.sheets.count() == 8 and all(s.entries.count() == 4 for s in bloc.sheets.all())
    today = timezone.localdate()

    # The leader records the pledge through its page.
    client.force_login(officers[0])
    response = client.post(
        reverse("pledge_edit", args=[bloc.pk]),
        {"signed_on": (today - timedelta(days=1)).isoformat(), "targets": "Hoàn thành 100% chỉ tiêu được giao"},
    )
    assert response.status_code == 302
    bloc.refresh_from_db()
    assert bloc.pledge.targets == "Hoàn thành 100% chỉ tiêu được giao"

    # Unit 3 fills its sheet through the page, with a PDF as evidence, and submits it.
    client.force_login(officers[3])
    sheet3 = world.sheet(3)
    evidence = io.BytesIO(b"%PDF-1.4\n% minh chung\n")
    evidence.name = "bao-cao.pdf"
    data = {f"points_{criteria[0].pk}": "55,5", f"points_{criteria[1].pk}": "28", f"points_{criteria[2].pk}": "",
            f"points_{criteria[3].pk}": "2", f"evidence_{criteria[0].pk}": evidence}  # fmt: skip
    assert client.post(reverse("sheet_detail", args=[sheet3.pk]), data).status_code == 302
    entry = sheet3.entries.get(criterion=criteria[0])
    assert entry.self_points == D("55.5") and entry.evidence.name.endswith(".pdf")
    download = client.get(reverse("sheet_evidence", args=[sheet3.pk, entry.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(reverse("sheet_submit", args=[sheet3.pk])).status_code == 302
    sheet3.refresh_from_db()
    assert sheet3.state == ScoreSheet.State.SUBMITTED

    # The leader cross-checks unit 3 through the page: lowering a score needs a comment.
    client.force_login(officers[0])
    verify_url = reverse("sheet_verify", args=[sheet3.pk])
    data = {f"verified_{criteria[0].pk}": "50", f"verified_{criteria[1].pk}": "28",
            f"verified_{criteria[2].pk}": "0", f"verified_{criteria[3].pk}": "2"}  # fmt: skip
    response = client.post(verify_url, data)
    assert response.status_code == 400
    sheet3.refresh_from_db()
    assert sheet3.state == ScoreSheet.State.SUBMITTED
    data[f"comment_{criteria[0].pk}"] = "Chỉ tiêu thu ngân sách chưa đạt"
    assert client.post(verify_url, data).status_code == 302
    sheet3.refresh_from_db()
    assert sheet3.state == ScoreSheet.State.VERIFIED and sheet3.verified_by == officers[0]
    assert sheet3.entries.get(criterion=criteria[0]).comment == "Chỉ tiêu thu ngân sách chưa đạt"

    # The other seven sheets through the services. Units 0 and 2 tie at the top (95), unit 3 has 76.
    scores = {0: ("58", "30", "10", "3"), 1: ("50", "25", "0", "0"), 2: ("60", "27", "8", "0"),
              4: ("40", "20", "0", "5"), 5: ("45", "25", "5", "0"), 6: ("30", "30", "0", "1"),
              7: ("52", "20", "0", "0")}  # fmt: skip
    for i, values in scores.items():
        sheet = world.sheet(i)
        points = {c.pk: D(v) for c, v in zip(criteria, values, strict=True)}
        services.sheet_save_self(by=officers[i], sheet=sheet, points=points)
        services.sheet_submit(by=officers[i], sheet=sheet)
        checker = officers[1] if i == 0 else officers[0]
        services.sheet_verify(by=checker, sheet=sheet, verified={pk: (v, "") for pk, v in points.items()})

    # A member sees its own sheet and no ranking before the lock.
    client.force_login(officers[5])
    assert client.get(reverse("bloc_ranking", args=[bloc.pk])).status_code == 403
    assert client.get(reverse("sheet_detail", args=[world.sheet(6).pk])).status_code == 404

    # The organiser locks the sheets.
    client.force_login(world.organiser)
    assert client.post(reverse("bloc_lock", args=[bloc.pk])).status_code == 302
    bloc.refresh_from_db()
    assert bloc.sheets_locked_at is not None
    assert set(bloc.sheets.values_list("state", flat=True)) == {ScoreSheet.State.LOCKED}

    # Ranking: totals, dense ranks, the tie at the top flagged.
    ranking = selectors.bloc_ranking(bloc)
    assert [r.unit_name for r in ranking[:2]] == ["Sở Nội vụ", "Sở Tài chính"]
    totals = {r.unit_name: r.total for r in ranking}
    assert totals == {
        "Sở Tài chính": D("95"),
        "Sở Nội vụ": D("95"),
        "Sở Tư pháp": D("76"),
        "Sở Xây dựng": D("75"),
        "Sở Nông nghiệp và Môi trường": D("75"),
        "Sở Khoa học và Công nghệ": D("72"),
        "Sở Văn hóa, Thể thao và Du lịch": D("59"),
        "Sở Công Thương": D("55"),
    }
    assert [r.rank for r in ranking] == [1, 1, 2, 3, 3, 4, 5, 6]
    assert [r.tied for r in ranking] == [True, True, False, True, True, False, False, False]

    # Members see the ranking once locked; the screen and the Excel export hold the same rows.
    client.force_login(officers[5])
    page = client.get(reverse("bloc_ranking", args=[bloc.pk]))
    assert page.status_code == 200
    shown = screen_rows(page.content.decode())
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("bloc_ranking", args=[bloc.pk]), {"format": "xlsx"}).content)
    )
    exported = [[cell for cell in row] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert len(workbook.worksheets) == 1  # a plain member gets the ranking, not the other units' sheets
    assert len(shown) == len(exported) == 8
    for screen_row, excel_row in zip(shown, exported, strict=True):
        expected = [str(excel_row[0]), excel_row[1], excel_row[2]] + [vn_number(v) for v in excel_row[3:8]]
        assert screen_row[:8] == expected
        assert bool(screen_row[8]) == bool(excel_row[8])
    assert [row[2] for row in exported] == [r.unit_name for r in ranking]

    # The PDF export: a real PDF naming every unit.
    client.force_login(world.organiser)
    response = client.get(reverse("bloc_ranking", args=[bloc.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = " ".join(text.decode().split())
    for name in UNIT_NAMES:
        assert name in text, name

    # The meeting: without saying how the tie at the top was settled, nothing is recorded.
    result_url = reverse("bloc_result", args=[bloc.pk])
    tai_chinh, noi_vu, tu_phap = units[0], units[2], units[3]
    data = {"meeting_on": today.isoformat(), "flag_unit": noi_vu.pk, "merit_units": [tai_chinh.pk, tu_phap.pk],
            "next_leader": noi_vu.pk, "next_deputy": tu_phap.pk}  # fmt: skip
    response = client.post(result_url, data)
    assert response.status_code == 400
    assert not BlocResult.objects.filter(bloc=bloc).exists()
    # The flag must go to a top-ranked unit.
    response = client.post(result_url, {**data, "flag_unit": tu_phap.pk, "merit_units": [tai_chinh.pk, noi_vu.pk],
                                        "tie_resolution": "x"})  # fmt: skip
    assert response.status_code == 400 and not BlocResult.objects.filter(bloc=bloc).exists()
    settled = "Hiệp thương: Sở Nội vụ dẫn đầu do hoàn thành toàn bộ chỉ tiêu (60/60); bỏ phiếu kín 6/8."
    assert client.post(result_url, {**data, "tie_resolution": settled}).status_code == 302
    result = BlocResult.objects.get(bloc=bloc)
    assert result.flag_unit == noi_vu and set(result.merit_units.all()) == {tai_chinh, tu_phap}
    assert result.tie_resolution == settled and result.next_leader == noi_vu and result.next_deputy == tu_phap
    assert [row["name"] for row in result.ranking] == [r.unit_name for r in ranking]
    assert result.ranking[0]["tied"] is True

    # The bloc page shows the result; next year's bloc starts from it with the elected leaders.
    detail = client.get(reverse("bloc_detail", args=[bloc.pk])).content.decode()
    assert settled in detail
    next_year = services.bloc_create(
        by=world.organiser,
        name=bloc.name,
        kind=bloc.kind,
        year=bloc.year + 1,
        organising_unit=org.province,
        previous=bloc,
    )
    roles = {role: unit for unit, role in next_year.memberships.values_list("unit", "role") if role != "member"}
    assert next_year.previous == bloc and roles == {"leader": noi_vu.pk, "deputy": tu_phap.pk}
    assert next_year.memberships.count() == 8
    history = client.get(reverse("bloc_detail", args=[next_year.pk])).content.decode()
    assert str(bloc.year) in history and "Sở Tài chính" in history


@pytest.mark.django_db
def test_pdf_renderer_fetches_static_files_only(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red; }")
    fetcher = pdf.StaticOnlyFetcher()
    assert fetcher(pdf.static_root().joinpath("css/print.css").as_uri()).read().startswith(b"/*")
    for url in (secret.as_uri(), "http://example.com/x.css", "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


@pytest.mark.django_db
def test_ranking_pdf_pages_render(org):
    world = make_bloc(org, size=4)
    score_all(world, [("50", "20", "0", "0")] * 4)
    services.sheets_lock(by=world.organiser, bloc=world.bloc)
    ranking = selectors.bloc_ranking(world.bloc)
    context = {"bloc": world.bloc, "ranking": ranking, "ties": selectors.ties(ranking), "final": True,
               "entries": [], "today": timezone.localdate()}  # fmt: skip
    assert pdf.page_count("pdf/bloc_ranking.html", context) == 1
    assert all(row.tied and row.rank == 1 for row in ranking)


# Query counts --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [4, 12])
def test_bloc_pages_query_count_does_not_grow_with_members(org, client, django_assert_max_num_queries, size):
    world = make_bloc(org, size=size)
    score_all(world, [(str(40 + i), "20", "0", "0") for i in range(size)])
    services.sheets_lock(by=world.organiser, bloc=world.bloc)
    client.force_login(world.organiser)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("bloc_detail", args=[world.bloc.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bloc_ranking", args=[world.bloc.pk])).status_code == 200
    client.force_login(world.officers[0])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bloc_list")).status_code == 200


def test_vn_number_formats_like_the_screen():
    assert vn_number(D("95.50")) == "95,50" and vn_number(D("76")) == "76" and re.fullmatch(r"\d+", vn_number(3))
