# An index made for the accent-free search of persons (ketnap.people.search): FTS5 on SQLite, a GIN full-text
# index on PostgreSQL. The SQL is written here (not imported) so that the migration never changes.

from django.db import migrations

FTS = "people_person_fts"
SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(search_key, content='people_person', content_rowid='id', "
    "tokenize='unicode61', prefix='2 3')",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON people_person BEGIN
        INSERT INTO {FTS} (rowid, search_key) VALUES (new.id, new.search_key); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON people_person BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, search_key) VALUES ('delete', old.id, old.search_key); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF search_key ON people_person BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, search_key) VALUES ('delete', old.id, old.search_key);
        INSERT INTO {FTS} (rowid, search_key) VALUES (new.id, new.search_key); END""",
    f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')",
]
SQLITE_BACK = [f"DROP TRIGGER IF EXISTS {FTS}_{n}" for n in ("insert", "delete", "update")] + [f"DROP TABLE IF EXISTS {FTS}"]
PG = ["CREATE INDEX IF NOT EXISTS people_person_search_fts ON people_person USING gin "
      "(to_tsvector('simple'::regconfig, search_key))"]
PG_BACK = ["DROP INDEX IF EXISTS people_person_search_fts"]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": PG}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACK, "postgresql": PG_BACK}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_counted_apart"),
    ]

    operations = [migrations.RunPython(forward, backward)]
