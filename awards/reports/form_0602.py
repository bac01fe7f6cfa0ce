"""Form 0602.N/BNV-TĐKT of Circular 02/2023/TT-BNV ("Số lượng khen thưởng cấp Nhà nước"): how many state-level
awards the subtree of a reporting unit received in a report year, filled in from `AwardRecord`.

The form's layout (read from the circular's annex as transcribed by the public reference product, see the
report of issue 9): the rows break the total down three ways (the body whose proposal letter went to the Prime
Minister; the subject: collective, enterprise, household, individual and the individual's position; the kind of
commendation); the columns are the state-level awards in eight groups (orders and medals, the Hồ Chí Minh Prize,
the State Prize, the State honorary titles, the Government emulation flag, the Prime Minister's certificate of
merit, the National emulation fighter title, other forms), each award split into collective and individual.

The report period of the emulation and commendation field is 01/12 of the year before to 30/11 of the report year
(Circular 02/2023/TT-BNV, Art. 4; the form is due on 15/12). A record counts by its decision date; an imported
record without one counts by its award year.

Three queries whatever the amount of history: the state-level award types, the ministries and provinces around
the subtree, and one grouped count of the records.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext, pgettext_lazy

from awards.models import AwardRecord, AwardType
from awards.models.catalogue import AwardKind
from organizations.models import Person, Unit
from thiduakt.lib.vn import fold

FORM_CODE = "0602.N/BNV-TĐKT"
# The form's own wording carries the message context "form 0602" ("Tổng số", "Mã số" where the site says "Tổng", "Mã").
MIN_YEAR = 2023  # the circular took effect on 10/05/2023
SUBJECT_ORDER = ("unit", "household", "person")
SUBJECT_LABELS = {
    "unit": pgettext_lazy("form 0602", "Collective"),
    "household": pgettext_lazy("form 0602", "Household"),
    "person": pgettext_lazy("form 0602", "Individual"),
}


def report_period(year: int) -> tuple[date, date]:
    """01/12 of the year before to 30/11 of the report year (the emulation and commendation field's period)."""
    return date(year - 1, 12, 1), date(year, 11, 30)


# Columns ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpec:
    number: int  # the form's column number (2 to 9)
    label: str
    per_type: bool  # one set of columns per award type ("mỗi hình thức khen thưởng ghi riêng một cột")
    placeholder: tuple[str, ...]  # the subject columns the form prints when the catalogue has no such award


GROUPS = (
    GroupSpec(
        2,
        pgettext_lazy("form 0602", "Orders and medals (one column per form of commendation)"),
        True,
        ("unit", "person"),
    ),
    GroupSpec(3, pgettext_lazy("form 0602", "Hồ Chí Minh Prize"), False, ("person",)),
    GroupSpec(4, pgettext_lazy("form 0602", "State Prize"), False, ("person",)),
    GroupSpec(
        5, pgettext_lazy("form 0602", "State honorary titles (one column per form of commendation)"), True, ("person",)
    ),
    GroupSpec(6, pgettext_lazy("form 0602", "Emulation flag of the Government"), False, ("unit",)),
    GroupSpec(7, pgettext_lazy("form 0602", "Certificate of merit of the Prime Minister"), False, ("unit", "person")),
    GroupSpec(8, pgettext_lazy("form 0602", 'Title "National emulation fighter"'), False, ("person",)),
    GroupSpec(
        9,
        pgettext_lazy("form 0602", "Other forms of commendation (one column per form of commendation)"),
        True,
        ("unit", "person"),
    ),
)
GROUP_BY_CODE = {"CO_CP": 6, "BK_TTG": 7, "CSTDTQ": 8}
# Award types added to the catalogue later are placed by their Vietnamese name, accents folded: orders and medals,
# the two prizes by how the name starts; the State honorary titles (Law 06/2022 Art. 64: Bà mẹ Việt Nam anh hùng,
# Anh hùng Lực lượng vũ trang nhân dân, Anh hùng Lao động, Nhà giáo nhân dân / ưu tú, Thầy thuốc..., Nghệ sĩ...,
# Nghệ nhân...) by a word they contain; any other state-level award goes to "other forms" (column 9).
GROUP_BY_NAME_START = (
    (2, ("huan chuong", "huy chuong")),
    (3, ("giai thuong ho chi minh",)),
    (4, ("giai thuong nha nuoc",)),
)
HONORARY_TITLE_WORDS = ("anh hung", "nhan dan", "uu tu")


def award_group(award_type: AwardType) -> int:
    if award_type.code in GROUP_BY_CODE:
        return GROUP_BY_CODE[award_type.code]
    name = fold(award_type.name)
    for number, starts in GROUP_BY_NAME_START:
        if name.startswith(starts):
            return number
    if any(word in name for word in HONORARY_TITLE_WORDS):
        return 5
    return 9


@dataclass(frozen=True)
class Column:
    group: int
    subject: str
    award_type_ids: frozenset[int]  # empty: the catalogue has no such award, the cells stay empty

    @property
    def subject_label(self) -> str:
        return str(SUBJECT_LABELS[self.subject])


@dataclass
class Group:
    spec: GroupSpec
    # (award type name or None for a group printed as one award, its columns)
    awards: list[tuple[str | None, list[Column]]]

    @property
    def columns(self) -> list[Column]:
        return [column for _name, columns in self.awards for column in columns]

    @property
    def empty(self) -> bool:
        return not any(column.award_type_ids for column in self.columns)


def _subjects(award_types, seen: set[str]) -> list[str]:
    wanted = set(seen)
    for award_type in award_types:
        wanted.update(award_type.subject_types)
    return [subject for subject in SUBJECT_ORDER if subject in wanted]


def build_groups(award_types: list[AwardType], seen: dict[int, set[str]]) -> list[Group]:
    """The form's column groups from the state-level award types; `seen` adds subject columns that records hold
    although the type does not list that subject."""
    by_group = defaultdict(list)
    for award_type in award_types:
        by_group[award_group(award_type)].append(award_type)
    groups = []
    for spec in GROUPS:
        members = by_group.get(spec.number, [])
        if not members:
            columns = [Column(spec.number, subject, frozenset()) for subject in spec.placeholder]
            groups.append(Group(spec, [(None, columns)]))
        elif spec.per_type:
            awards = []
            for award_type in members:
                subjects = _subjects([award_type], seen.get(award_type.pk, set())) or list(spec.placeholder)
                awards.append((award_type.name, [Column(spec.number, s, frozenset({award_type.pk})) for s in subjects]))
            groups.append(Group(spec, awards))
        else:
            ids = frozenset(award_type.pk for award_type in members)
            seen_here = set().union(*(seen.get(pk, set()) for pk in ids))
            subjects = _subjects(members, seen_here) or list(spec.placeholder)
            columns = [Column(spec.number, s, ids) for s in subjects]
            groups.append(Group(spec, [(None, columns)]))
    return groups


# Rows ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSpec:
    key: str
    code: int | None  # the form's "Mã số"; None for a section heading
    label: str
    measure: str = ""  # "Đơn vị tính"
    bold: bool = False
    missing: bool = False  # the data cannot tell: cells left empty


MINISTRY, PROVINCE = "ministry", "province"
PERSON_CLASSES = ("top_leader", "department_leader", "business", "other_leader", "direct_worker")
ROWS = (
    RowSpec("total", 1, pgettext_lazy("form 0602", "Total"), bold=True),
    RowSpec(
        "by_proposer",
        None,
        pgettext_lazy("form 0602", "1. By the body issuing the proposal letter to the Prime Minister"),
        bold=True,
    ),
    RowSpec(
        MINISTRY,
        2,
        pgettext_lazy("form 0602", "- Ministries, central bodies and organisations"),
        pgettext_lazy("form 0602", "Ministries"),
    ),
    RowSpec(
        PROVINCE,
        3,
        pgettext_lazy("form 0602", "- Provinces and centrally governed cities"),
        pgettext_lazy("form 0602", "Provinces"),
    ),
    RowSpec("by_subject", None, pgettext_lazy("form 0602", "2. By subject of the award"), bold=True),
    RowSpec("unit", 6, pgettext_lazy("form 0602", "- Collectives"), pgettext_lazy("form 0602", "Collectives")),
    RowSpec(
        "enterprise", 7, pgettext_lazy("form 0602", "Of which: enterprises"), pgettext_lazy("form 0602", "Enterprises")
    ),
    RowSpec("household", 8, pgettext_lazy("form 0602", "- Households"), pgettext_lazy("form 0602", "Households")),
    RowSpec("person", 9, pgettext_lazy("form 0602", "- Individuals"), pgettext_lazy("form 0602", "Persons")),
    RowSpec(
        "top_leader",
        10,
        pgettext_lazy("form 0602", "+ Leaders at ministry or province level and equivalent or above"),
        pgettext_lazy("form 0602", "Persons"),
    ),
    RowSpec(
        "department_leader",
        11,
        pgettext_lazy("form 0602", "+ Leaders at department level and equivalent"),
        pgettext_lazy("form 0602", "Persons"),
    ),
    RowSpec("business", 12, pgettext_lazy("form 0602", "+ Business people"), pgettext_lazy("form 0602", "Persons")),
    RowSpec(
        "other_leader",
        13,
        pgettext_lazy("form 0602", "+ Other leaders from deputy head of division up"),
        pgettext_lazy("form 0602", "Persons"),
    ),
    RowSpec(
        "direct_worker",
        14,
        pgettext_lazy(
            "form 0602", "+ People working, studying, fighting or serving in combat directly (workers, farmers...)"
        ),
        pgettext_lazy("form 0602", "Persons"),
    ),
    RowSpec("by_kind", None, pgettext_lazy("form 0602", "3. By kind of commendation"), bold=True),
    RowSpec(AwardKind.REGULAR, 15, pgettext_lazy("form 0602", "- Regular")),
    RowSpec(AwardKind.CAMPAIGN, 16, pgettext_lazy("form 0602", "- Thematic")),
    RowSpec(AwardKind.SUDDEN, 17, pgettext_lazy("form 0602", "- Sudden")),
    RowSpec(AwardKind.FOREIGN, 18, pgettext_lazy("form 0602", "- Foreign relations")),
    RowSpec(AwardKind.CONTRIBUTION, 19, pgettext_lazy("form 0602", "- Contribution")),
    RowSpec(AwardKind.SENIORITY, 20, pgettext_lazy("form 0602", "- Seniority")),
    RowSpec("resistance", 21, pgettext_lazy("form 0602", "- Resistance"), missing=True),
)


@dataclass(frozen=True)
class Key:
    """One group of the aggregate: what the rows need to know of a record."""

    award_type_id: int
    subject: str
    proposer: str | None
    enterprise: bool
    person_class: str | None
    kind: str


def _row_matches(row_key: str, key: Key) -> bool:
    if row_key == "total":
        return True
    if row_key in (MINISTRY, PROVINCE):
        return key.proposer == row_key
    if row_key in SUBJECT_ORDER:
        return key.subject == row_key
    if row_key == "enterprise":
        return key.subject == "unit" and key.enterprise
    if row_key in PERSON_CLASSES:
        return key.person_class == row_key
    return key.kind == row_key


@dataclass
class Row:
    spec: RowSpec
    total: int | None = None
    cells: list[int | None] = field(default_factory=list)


@dataclass
class Report:
    unit: Unit
    year: int
    start: date
    end: date
    groups: list[Group]
    rows: list[Row]

    @property
    def columns(self) -> list[Column]:
        return [column for group in self.groups for column in group.columns]

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.spec.key == key)

    def notes(self) -> list[str]:
        """What the reader must know to read the figures: the period, how rows were derived, empty cells."""
        notes = [
            pgettext(
                "form 0602",
                "Report period: %(start)s to %(end)s, by decision date; records without a decision date count by "
                "their award year. Revoked awards are not counted.",
            )
            % {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"},
            pgettext(
                "form 0602",
                "Rows 2 and 3: the ministry (central body) or province that contains the unit of the award's "
                "subject. Rows 10 to 14: from the person's current position kind and the level and kind of the "
                "person's unit; individuals whose position kind is not recorded count in row 9 only.",
            ),
            pgettext(
                "form 0602",
                "Row 21 (resistance): the award history does not record this kind of commendation; left empty.",
            ),
        ]
        missing = [str(group.spec.number) for group in self.groups if group.empty]
        if missing:
            notes.append(
                pgettext("form 0602", "Columns of group %(groups)s: the award catalogue has no such award; left empty.")
                % {"groups": ", ".join(missing)}
            )
        return notes


# The query -------------------------------------------------------------------------------------------------


def _proposer_case(unit: Unit):
    """The kind (ministry or province) of the nearest ministry or province containing the subject's unit."""
    proposers = Unit.objects.filter(kind__in=[Unit.Kind.MINISTRY, Unit.Kind.PROVINCE]).filter(
        Q(pk__in=unit.ancestor_ids) | Q(path__startswith=unit.path)
    )
    whens = [
        When(subject_path__startswith=path, then=Value(MINISTRY if kind == Unit.Kind.MINISTRY else PROVINCE))
        for path, kind in sorted(proposers.values_list("path", "kind"), key=lambda pair: -len(pair[0]))
    ]
    return Case(*whens, default=Value(None), output_field=CharField()) if whens else Value(None, CharField())


def _person_class_case():
    leader = Q(person__position_kind=Person.PositionKind.LEADER)
    return Case(
        When(person__position_kind=Person.PositionKind.DIRECT_WORKER, then=Value("direct_worker")),
        When(leader & Q(person__unit__level=Unit.Level.NATIONAL), then=Value("top_leader")),
        When(leader & Q(person__unit__kind__in=[Unit.Kind.MINISTRY, Unit.Kind.PROVINCE]), then=Value("top_leader")),
        When(leader & Q(person__unit__kind=Unit.Kind.ENTERPRISE), then=Value("business")),
        When(leader & Q(person__unit__level=Unit.Level.PROVINCE), then=Value("department_leader")),
        When(leader, then=Value("other_leader")),
        default=Value(None),
        output_field=CharField(),
    )


def _counts(unit: Unit, year: int, award_type_ids: list[int]) -> dict[Key, int]:
    start, end = report_period(year)
    in_period = Q(decision_date__gte=start, decision_date__lte=end) | Q(decision_date__isnull=True, year=year)
    rows = (
        AwardRecord.objects.filter(in_period, award_type_id__in=award_type_ids, revoked=False)
        .annotate(subject_path=Coalesce(F("person__unit__path"), F("unit__path"), F("household__unit__path")))
        .filter(subject_path__startswith=unit.path)
        .annotate(
            subject=Case(
                When(person__isnull=False, then=Value("person")),
                When(unit__isnull=False, then=Value("unit")),
                default=Value("household"),
                output_field=CharField(),
            ),
            proposer=_proposer_case(unit),
            enterprise=Case(When(unit__kind=Unit.Kind.ENTERPRISE, then=Value(True)), default=Value(False)),
            person_class=_person_class_case(),
        )
        .order_by()
        .values("award_type_id", "subject", "proposer", "enterprise", "person_class", "kind")
        .annotate(n=Count("pk"))
    )
    return {Key(**{name: row[name] for name in Key.__dataclass_fields__}): row["n"] for row in rows}


def _cell(matching, column: Column) -> int | None:
    if not column.award_type_ids:
        return None
    return sum(n for key, n in matching if key.subject == column.subject and key.award_type_id in column.award_type_ids)


def state_award_types() -> list[AwardType]:
    return list(AwardType.objects.filter(granting_level=AwardType.GrantingLevel.STATE).order_by("order", "code"))


def form_0602(*, unit: Unit, year: int) -> Report:
    """The form's cells for the subtree of `unit` (itself included) and the report year."""
    award_types = state_award_types()
    counts = _counts(unit, year, [award_type.pk for award_type in award_types])
    seen = defaultdict(set)
    for key in counts:
        seen[key.award_type_id].add(key.subject)
    groups = build_groups(award_types, seen)
    columns = [column for group in groups for column in group.columns]
    rows = []
    for spec in ROWS:
        if spec.code is None or spec.missing:
            rows.append(Row(spec, None, [None] * len(columns)))
            continue
        matching = [(key, n) for key, n in counts.items() if _row_matches(spec.key, key)]
        cells = [_cell(matching, column) for column in columns]
        rows.append(Row(spec, sum(n for _key, n in matching), cells))
    start, end = report_period(year)
    return Report(unit=unit, year=year, start=start, end=end, groups=groups, rows=rows)
