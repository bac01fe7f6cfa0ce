"""Writing many rows in one statement without the ORM's per-row expression building.

`bulk_update` builds a CASE WHEN expression per row and field, and `bulk_create` a model instance per row: at a
council session's close (500 items, 12,500 ballot papers) that Python work costs more than a second while the
database needs a tenth of it. These two helpers send plain multi-row statements instead. They take the same
field names as the ORM, convert values with the fields' own get_db_prep_save, and work on PostgreSQL and on
SQLite ≥ 3.33 (UPDATE … FROM), the two databases the project runs on."""

from django.db import connection

BATCH = 2_000


def insert_rows(model, fields: list[str], rows, *, batch: int | None = None) -> int:
    """INSERT the rows (tuples in the order of `fields`) in multi-row statements of `batch` rows (by default one
    statement on PostgreSQL, whose client-side binding has no parameter limit, and BATCH rows on SQLite); returns
    the count. No signals, no default values: give every column the table requires."""
    rows = list(rows)
    _insert(model, fields, rows, batch=batch)
    return len(rows)


def insert_missing(model, fields: list[str], rows, *, returning: list[str], batch: int | None = None) -> list[tuple]:
    """Like insert_rows, skipping the rows that would break a unique constraint (ON CONFLICT DO NOTHING); returns
    the `returning` columns of the rows this statement inserted. A concurrent transaction inserting the same key
    makes this one wait for its commit and then skip the row: of two writers, exactly one gets each row."""
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in returning)
    return _insert(model, fields, list(rows), batch=batch, suffix=f" ON CONFLICT DO NOTHING RETURNING {columns}")


def _insert(model, fields: list[str], rows: list, *, batch: int | None, suffix: str = "") -> list[tuple]:
    if batch is None:
        batch = BATCH if connection.features.max_query_params else max(len(rows), 1)
    model_fields = [model._meta.get_field(name) for name in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in model_fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [
                field.get_db_prep_save(value, connection)
                for row in chunk
                for field, value in zip(model_fields, row, strict=True)
            ]
            values = ", ".join([placeholder] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}{suffix}", params)
            if suffix:
                returned += cursor.fetchall()
    return returned


def update_rows(objects: list, fields: list[str], *, batch: int = BATCH) -> int:
    """UPDATE each object's row with its own values of `fields`, `batch` rows per statement:
    WITH v (pk, f…) AS (VALUES (…), …) UPDATE t SET f = v.f FROM v WHERE t.pk = v.pk."""
    if not objects:
        return 0
    model = type(objects[0])
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    names = ["pk", *(f"v{index}" for index in range(len(model_fields)))]
    assignments = ", ".join(
        f"{quote(field.column)} = {_typed(f'v.{name}', field)}"
        for field, name in zip(model_fields, names[1:], strict=True)
    )
    placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            params = []
            for obj in chunk:
                params.append(obj.pk)
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in model_fields)
            values = ", ".join([placeholder] * len(chunk))
            cursor.execute(
                f"WITH v ({', '.join(names)}) AS (VALUES {values}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.pk",
                params,
            )
    return len(objects)


def _typed(expression: str, field) -> str:
    """PostgreSQL types the VALUES columns from the literals (text for a JSON document, for instance): cast to
    the column's type. SQLite keeps the bound values' own types, and its CAST would apply type affinity (a
    datetime string cast to "datetime" becomes a number), so no cast there."""
    if connection.vendor != "postgresql":
        return expression
    return f"CAST({expression} AS {field.cast_db_type(connection)})"
