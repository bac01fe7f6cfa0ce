"""The figures of awards/statistics/selectors.py laid out as the tables the page, the workbook and the PDF show, in
the same order, with the chart each table's numbers draw (the page passes `chart_data` to static/js/statistics.js).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from awards.models import AwardType, DossierDocument, Nomination
from awards.models.catalogue import SUBJECT_TYPES, AwardKind
from organizations.models import Person, Unit
from thiduakt.lib.vn import thousands

from .selectors import POSITIONS, SELF, SUBJECTS, Statistics, child_key

CHART_TOP = 20  # bars drawn at most: a province has two hundred children, its table lists them all


@dataclass
class Table:
    key: str
    title: str
    sheet: str  # the worksheet's name: at most 31 characters, unique
    header: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    chart: str = ""  # "bar", "stacked" or "pie"; empty: no chart
    label_columns: tuple[int, ...] = (0,)  # a chart's label: these cells joined
    series: tuple[int, ...] = ()  # the columns the chart draws
    links: list[int | None] = field(default_factory=list)  # per row, a unit to open the page at (by unit)
    note: str = ""
    plain_columns: tuple[int, ...] = ()  # numbers printed as they are (years)

    def display(self, row: list) -> list[str]:
        """The cells as the page and the PDF print them: 12.849 and 15,3 as Vietnamese write numbers, a dash for
        nothing; the workbook keeps the numbers themselves."""
        return [display(cell) if index not in self.plain_columns else str(cell) for index, cell in enumerate(row)]

    @property
    def display_rows(self) -> list[tuple[list[str], int | None]]:
        return [(self.display(row), link) for row, link in self.linked_rows]

    @property
    def display_total(self) -> list[str] | None:
        return self.display(self.total) if self.total else None

    @property
    def linked_rows(self) -> list[tuple[list, int | None]]:
        return list(zip(self.rows, self.links or [None] * len(self.rows), strict=True))

    def chart_data(self) -> dict | None:
        if not self.chart or not self.rows:
            return None
        rows = self.rows[:CHART_TOP]
        return {
            "key": self.key,
            "type": self.chart,
            "labels": [" ".join(str(row[column]) for column in self.label_columns) for row in rows],
            "datasets": [
                {"label": self.header[column], "data": [row[column] for row in rows]} for column in self.series
            ],
        }


def display(cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return thousands(cell)
    if isinstance(cell, float):
        return f"{cell:.1f}".replace(".", ",")
    return str(cell)


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None (shown as a dash) when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def tables(stats: Statistics) -> list[Table]:
    return [
        by_type(stats),
        by_level(stats),
        by_subject(stats),
        by_kind(stats),
        by_unit(stats),
        by_year(stats),
        by_position(stats),
        quotas(stats),
        durations(stats),
        outcomes(stats),
        reasons_by_document(stats),
        top_reasons(stats),
    ]


def _subject_header() -> list[str]:
    labels = dict(SUBJECT_TYPES)
    return [str(labels[subject]) for subject in SUBJECTS] + [_("Total")]


def _subject_cells(counts: dict, prefix) -> list[int]:
    cells = [counts.get((prefix, subject), 0) for subject in SUBJECTS]
    return [*cells, sum(cells)]


def _column_totals(rows: list[list], first: int) -> list:
    return [sum(row[column] for row in rows) for column in range(first, len(rows[0]))] if rows else []


def by_type(stats: Statistics) -> Table:
    counts = stats.by_type()
    table = Table("by_type", _("Awards by type"), _("By type"), [_("Award"), _("Code"), *_subject_header()])
    table.chart, table.series = "bar", (5,)
    for code, award_type in stats.award_types.items():
        cells = _subject_cells(counts, code)
        if cells[-1]:
            table.rows.append([award_type.name, code, *cells])
    table.total = [_("Total"), "", *_column_totals(table.rows, 2)] if table.rows else None
    return table


def _shares(key: str, title: str, sheet: str, label: str, counts: dict, labels: list[tuple[str, str]]) -> Table:
    table = Table(key, title, sheet, [label, _("Awards"), _("Share (%)")], chart="pie", series=(1,))
    whole = sum(counts.values())
    for value, text in labels:
        if counts.get(value):
            table.rows.append([str(text), counts[value], share(counts[value], whole)])
    table.total = [_("Total"), whole, 100.0 if whole else None] if table.rows else None
    return table


def by_level(stats: Statistics) -> Table:
    return _shares(
        "by_level", _("Awards by granting level"), _("By level"), _("Granting level"), stats.by_level(),
        AwardType.GrantingLevel.choices,
    )  # fmt: skip


def by_subject(stats: Statistics) -> Table:
    return _shares(
        "by_subject", _("Awards by subject"), _("By subject"), _("Subject"), stats.by_subject(), SUBJECT_TYPES
    )


def by_kind(stats: Statistics) -> Table:
    return _shares("by_kind", _("Awards by kind"), _("By kind"), _("Kind"), stats.by_kind(), AwardKind.choices)


def by_unit(stats: Statistics) -> Table:
    counts = stats.by_child()
    table = Table(
        "by_unit", _("Awards by unit"), _("By unit"), [_("Unit"), _("Code"), *_subject_header()], chart="bar",
        series=(5,),
    )  # fmt: skip
    lines = [(_("%(unit)s (itself)") % {"unit": stats.unit.name}, stats.unit.code, SELF, None)]
    lines += [(child.name, child.code, child_key(stats.unit, child), child.pk) for child in stats.children]
    found = []
    for name, code, key, pk in lines:
        cells = _subject_cells(counts, key)
        if cells[-1]:
            found.append(([name, code, *cells], pk))
    found.sort(key=lambda item: (-item[0][-1], item[0][1]))
    table.rows = [cells for cells, _pk in found]
    table.links = [pk for _cells, pk in found]
    table.total = [_("Total"), "", *_column_totals(table.rows, 2)] if table.rows else None
    quiet = len(stats.children) - sum(1 for pk in table.links if pk is not None)
    if quiet:
        table.note = _("Units directly under %(unit)s with no award in these years: %(count)s.") % {
            "unit": stats.unit.name,
            "count": quiet,
        }
    return table


def by_year(stats: Statistics) -> Table:
    counts = stats.by_year()
    table = Table("by_year", _("Awards by year"), _("By year"), [_("Year"), *_subject_header()], chart="stacked")
    table.plain_columns = (0,)
    table.series = (1, 2, 3)
    table.rows = [[year, *_subject_cells(counts, year)] for year in stats.years]
    table.total = [_("Total"), *_column_totals(table.rows, 1)]
    return table


def by_position(stats: Statistics) -> Table:
    counts = stats.by_position()
    labels = dict(Person.PositionKind.choices)
    header = [_("Award"), *(str(labels[position]) for position in POSITIONS), _("Total")]
    header += [_("Leaders or managers (%)"), _("Direct workers (%)")]
    table = Table("by_position", _("Individual awards: leaders and managers against direct workers"),
                  _("Leaders and workers"), header, chart="stacked", series=(1, 2, 3))  # fmt: skip
    table.note = _(
        "The law gives priority to direct workers (Law on Emulation and Commendation 2022, Art. 5): the share of "
        "individual awards that went to leaders and managers, by the person's current position."
    )
    for code, award_type in stats.award_types.items():
        cells = [counts.get((code, position), 0) for position in POSITIONS]
        whole = sum(cells)
        if whole:
            table.rows.append([award_type.name, *cells, whole, share(cells[0], whole), share(cells[1], whole)])
    if table.rows:
        sums = _column_totals([row[:5] for row in table.rows], 1)
        table.total = [_("Total"), *sums, share(sums[0], sums[3]), share(sums[1], sums[3])]
    return table


def quotas(stats: Statistics) -> Table:
    header = [_("Award"), _("Year"), _("Quota"), _("Units"), _("Base (people)"), _("Allowed"), _("Granted"),
              _("Units over their quota"), _("The unit itself: allowed"), _("The unit itself: granted")]  # fmt: skip
    table = Table("quotas", _("Awards against their quotas"), _("Quotas"), header, chart="bar", series=(5, 6))
    table.note = _(
        "Each unit's quota is a share of its people holding the base award as a regular award in the year, rounded "
        "as the rule says; the lines add up the units of the subtree."
    )
    names = {code: award_type.name for code, award_type in stats.award_types.items()}
    for line in stats.quotas:
        quota = _("%(pct)s%% of %(award)s") % {"pct": f"{line.max_pct:g}", "award": line.of_award}
        table.rows.append(
            [names.get(line.code, line.code), line.year, quota, line.units, line.base, line.allowed,
             line.granted, line.over, line.own_allowed, line.own_granted]
        )  # fmt: skip
    table.label_columns, table.plain_columns = (0, 1), (1,)
    return table


def durations(stats: Statistics) -> Table:
    levels = dict(Unit.Level.choices)
    header = [_("Stage"), _("Council level"), _("Decided"), _("Median days since sending"),
              _("90th percentile since sending"), _("Median days since receipt"),
              _("90th percentile since receipt")]  # fmt: skip
    table = Table("durations", _("Time from submission to decision, per stage"), _("Stage times"), header)
    table.chart, table.series = "bar", (3, 4)
    table.note = _(
        "Days from the sending of the proposal letter that brought the nomination to the stage (or its receipt when "
        "there is no letter) to the stage's decision: acceptance, return, rejection or the council's result."
    )
    for line in stats.durations:
        label = _("Stage %(order)s") % {"order": line.order}
        table.rows.append(
            [label, str(levels.get(line.level, line.level)), line.decided, line.sent_median, line.sent_p90,
             line.received_median, line.received_p90]
        )  # fmt: skip
    return table


def outcomes(stats: Statistics) -> Table:
    header = [_("Award"), _("Nominations sent"), _("Returned for supplement"), _("Returned (%)"), _("Rejected"),
              _("Rejected (%)"), _("Not passed by a council"), _("Not passed (%)")]  # fmt: skip
    table = Table("outcomes", _("Nominations returned or rejected"), _("Returns and rejections"), header)
    table.chart, table.series = "bar", (3, 5, 7)
    for code, award_type in stats.award_types.items():
        found = stats.outcomes.get(code)
        if found and found.total:
            table.rows.append(_outcome_cells(award_type.name, found.total, found.returned, found.rejected,
                                             found.not_passed))  # fmt: skip
    if table.rows:
        sums = _column_totals([[row[0], row[1], row[2], row[4], row[6]] for row in table.rows], 1)
        table.total = _outcome_cells(_("Total"), *sums)
    return table


def _outcome_cells(label, total, returned, rejected, not_passed) -> list:
    return [label, total, returned, share(returned, total), rejected, share(rejected, total), not_passed,
            share(not_passed, total)]  # fmt: skip


def outcome_labels() -> dict[str, str]:
    return {
        "returned": str(Nomination.State.RETURNED.label),
        "rejected": str(Nomination.State.REJECTED.label),
        "not_passed": str(Nomination.State.NOT_APPROVED.label),
    }


def document_label(kind: str) -> str:
    return str(dict(DossierDocument.Kind.choices).get(kind, kind)) if kind else _("The dossier as a whole")


def reasons_by_document(stats: Statistics) -> Table:
    header = [_("Outcome"), _("Document concerned"), _("Reasons")]
    table = Table("reasons_by_document", _("Reasons by document"), _("Reasons by document"), header)
    table.chart, table.label_columns, table.series = "bar", (0, 1), (2,)
    outcome = outcome_labels()
    for (result, document), count in sorted(stats.reasons_by_document.items(), key=lambda item: (-item[1], item[0])):
        table.rows.append([outcome[result], document_label(document), count])
    if table.rows:
        table.total = [_("Total"), "", sum(row[2] for row in table.rows)]
    return table


def top_reasons(stats: Statistics) -> Table:
    header = [_("Outcome"), _("Document concerned"), _("Reason (first words)"), _("Times given")]
    table = Table("top_reasons", _("Most frequent reasons"), _("Frequent reasons"), header)
    outcome = outcome_labels()
    for result, document, words, count in stats.top_reasons:
        table.rows.append([outcome[result], document_label(document), words or "—", count])
    return table
