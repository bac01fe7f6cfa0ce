from ._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import people from an .xlsx file with columns code, full_name, gender, birth_date, unit_code, "
        "position, position_kind (all or nothing)."
    )
    kind = "people"
