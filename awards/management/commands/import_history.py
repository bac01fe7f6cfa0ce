from django.utils.translation import gettext as _

from awards import imports
from organizations.management.commands._import_base import ImportCommand, summary_line


class Command(ImportCommand):
    help = (
        "Import legacy history from an .xlsx workbook with sheets units, people, ratings, awards, initiatives, "
        "disciplines, members (each optional; all or nothing)."
    )

    def preview(self, path):
        return imports.history_preview(path)

    def apply(self, path):
        return imports.history_apply(by=None, source=path)

    def summary(self, preview) -> None:
        for sheet in preview.sheets:
            self.stdout.write(_("Sheet %(sheet)s: %(summary)s") % {"sheet": sheet.kind, "summary": summary_line(sheet)})
