from django.db import migrations

TABLES = [("organizations_person", "search_name"), ("organizations_unit", "search_name"),
          ("organizations_household", "search_name")]


def create_trigram_indexes(apps, schema_editor):
    # PostgreSQL only: substring search ("nguyen thi hoa" anywhere in the name) uses a trigram index
    # instead of scanning 100,000 rows. SQLite (make run) scans, which is fine at demo size.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
