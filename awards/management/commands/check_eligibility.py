"""`manage.py check_eligibility --year Y [--award CODE] [--person CODE | --unit CODE | --household CODE]
[--format json|xlsx] [--output FILE]`: the engine's verdicts as JSON or a workbook.

Without a subject, every person, unit and household is checked, a batch at a time, and the JSON is written
as each batch is ready, so a province of 100,000 people does not sit in memory as one list.
"""

import json

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.eligibility import check_many
from awards.models import AwardType
from organizations.models import Household, Person, Unit
from thiduakt.lib import excel

BATCH = 5_000
SUBJECTS = {"person": Person, "unit": Unit, "household": Household}
SUBJECT_LABELS = {
    "person": gettext_lazy("person"),
    "unit": gettext_lazy("collective"),
    "household": gettext_lazy("household"),
}
XLSX_HEADER = ["subject_type", "subject_code", "name", "award_code", "status", "reasons"]


class Command(BaseCommand):
    help = "Check who is eligible for which award in a year, with the reasons, as JSON or an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the year of the achievements")
        parser.add_argument("--award", help="one award code (default: every award type that fits each subject)")
        subject = parser.add_mutually_exclusive_group()
        for subject_type in SUBJECTS:
            subject.add_argument(f"--{subject_type}", metavar="CODE", help=f"check only this {subject_type}")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", help="write to this file (default: standard output, JSON only)")

    def handle(self, *args, **options):
        year = options["year"]
        if not 1945 <= year <= 2100:
            raise CommandError(_("The year must be between 1945 and 2100, not %(year)s.") % {"year": year})
        codes = self._award_codes(options["award"], options)
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError(_("An Excel workbook needs --output FILE."))
        batches = (check_many(subjects, year, codes) for subjects in self._subject_batches(options))
        if options["format"] == "xlsx":
            self._write_xlsx(batches, options["output"])
        elif options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                write_json(batches, output)
        else:
            write_json(batches, self.stdout)

    def _award_codes(self, code, options) -> list[str] | None:
        if not code:
            return None
        award_type = AwardType.objects.filter(code=code).first()
        if award_type is None:
            raise CommandError(_("There is no award type with code “%(code)s”.") % {"code": code})
        for subject_type in SUBJECTS:
            if options[subject_type] and not award_type.fits(subject_type):
                raise CommandError(
                    _("%(award)s (%(code)s) is not given to a %(subject)s.")
                    % {"award": award_type.name, "code": code, "subject": SUBJECT_LABELS[subject_type]}
                )
        return [code]

    def _subject_batches(self, options):
        for subject_type, model in SUBJECTS.items():
            if options[subject_type]:
                subject = model.objects.filter(code=options[subject_type]).first()
                if subject is None:
                    raise CommandError(
                        _("There is no %(subject)s with code “%(code)s”.")
                        % {"subject": SUBJECT_LABELS[subject_type], "code": options[subject_type]}
                    )
                yield [subject]
                return
        for model in SUBJECTS.values():
            ids = list(model.objects.order_by("code").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                batch = model.objects.in_bulk(ids[start : start + BATCH])
                yield [batch[pk] for pk in ids[start : start + BATCH] if pk in batch]

    def _write_xlsx(self, batches, path: str) -> None:
        rows = (
            [
                verdict.subject_type,
                verdict.subject_code,
                subject_name(verdict.subject),
                verdict.award_code,
                verdict.status,
                "\n".join(reason.message for reason in verdict.reasons),
            ]
            for verdicts in batches
            for verdict in verdicts
        )
        sheet = excel.SheetSpec(title=_("Eligibility"), header=XLSX_HEADER, rows=rows, widths=[12, 16, 30, 12, 12, 100])
        content = excel.build_workbook([sheet])
        with open(path, "wb") as output:
            output.write(content)


def subject_name(subject) -> str:
    return subject.head_name if isinstance(subject, Household) else getattr(subject, "full_name", None) or subject.name


def write_json(batches, output) -> None:
    """A JSON list written one verdict a line, as the batches come."""
    write = (lambda text: output.write(text, ending="")) if isinstance(output, OutputWrapper) else output.write
    write("[")
    first = True
    for verdicts in batches:
        for verdict in verdicts:
            write("\n" if first else ",\n")
            write(json.dumps(verdict.as_dict(), ensure_ascii=False))
            first = False
    write("]\n" if first else "\n]\n")
