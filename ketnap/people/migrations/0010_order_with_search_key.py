# PostgreSQL: the list's order index also holds the search key, the holder and the stage (people.search.
# first_in_order reads a common name's matches from it, index only, for any scope and a stage filter). SQLite has no included columns: nothing changes there, and the model's
# state (an index on sort_key, id) is the same on both. The new index is built before the old one goes.
# The SQL is written here (not imported) so that the migration never changes.

from django.db import migrations

PG = [
    "CREATE INDEX IF NOT EXISTS people_person_order_search ON people_person (sort_key, id) "
    "INCLUDE (search_key, unit_id, stage)",
    "DROP INDEX IF EXISTS people_person_order",
    "ALTER INDEX people_person_order_search RENAME TO people_person_order",
]
PG_BACK = [
    "CREATE INDEX IF NOT EXISTS people_person_order_plain ON people_person (sort_key, id)",
    "DROP INDEX IF EXISTS people_person_order",
    "ALTER INDEX people_person_order_plain RENAME TO people_person_order",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACK:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_graduating_order"),
    ]

    operations = [migrations.RunPython(forward, backward)]
