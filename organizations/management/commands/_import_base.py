"""What the import commands share: read, show the preview, refuse on any error, apply."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organizations import imports


def summary_line(preview) -> str:
    return _(
        "%(rows)s rows: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, %(errors)s with errors."
    ) % {
        "rows": len(preview.rows),
        "create": preview.to_create,
        "update": preview.to_update,
        "unchanged": preview.unchanged,
        "errors": preview.rows_with_errors,
    }


class ImportCommand(BaseCommand):
    kind = ""  # a key of imports.IMPORT_KINDS, unless `preview` and `apply` are overridden

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx file; the first row holds the column names")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change, write nothing")

    def preview(self, path):
        return imports.IMPORT_KINDS[self.kind].preview(path)

    def apply(self, path):
        return imports.IMPORT_KINDS[self.kind].apply(by=None, source=path)

    def summary(self, preview) -> None:
        self.stdout.write(summary_line(preview))

    def handle(self, *args, **options):
        path = options["file"]
        preview = self.preview(path)
        self.summary(preview)
        if preview.has_errors:
            self._fail(preview)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was saved."))
            return
        try:
            self.apply(path)
        except imports.ImportRejected as rejected:  # the database changed since the preview was read
            self._fail(rejected.preview)
        self.stdout.write(self.style.SUCCESS(_("Import finished.")))

    def _fail(self, preview):
        for line in preview.error_lines():
            self.stderr.write(line)
        raise CommandError(str(imports.ImportRejected(preview)))
