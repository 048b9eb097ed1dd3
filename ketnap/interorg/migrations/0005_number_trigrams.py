# PostgreSQL: the letters' numbers by trigrams (pg_trgm, a trusted extension the database's owner may create), so
# the letters list's search for a number (`number__icontains`: UPPER(number) LIKE '%…%') reads an index instead
# of every letter: at nation scale (2.8 M letters) 1.2 s → a few milliseconds. SQLite scans the numbers of a
# city's letters, fast enough; the model's state is the same on both.

from django.db import migrations

PG = "CREATE INDEX IF NOT EXISTS interorg_request_number_trgm ON interorg_request USING gin ((UPPER(number::text)) gin_trgm_ops)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(PG)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS interorg_request_number_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("interorg", "0004_quarterly_fields"),
    ]

    operations = [migrations.RunPython(forward, backward)]
