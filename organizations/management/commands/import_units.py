from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "Import units from an .xlsx file with columns code, name, kind, parent_code (all or nothing)."
    kind = "units"
