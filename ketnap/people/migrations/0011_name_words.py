# PostgreSQL: the words of the names, kept by a trigger, so that a word typed in a search is looked up as the
# exact words it begins (ketnap.people.search). Nothing on SQLite (its FTS5 index has its own prefix index).
# The SQL is written here (not imported) so that the migration never changes.

from django.db import migrations

PG = [
    'CREATE TABLE IF NOT EXISTS people_name_word (word text COLLATE "C" PRIMARY KEY)',
    """CREATE OR REPLACE FUNCTION people_name_word_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO people_name_word (word)
            SELECT lexeme FROM unnest(to_tsvector('simple'::regconfig, NEW.search_key)) WHERE lexeme ~ '^[a-z]'
            ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS people_name_word_add ON people_person",
    """CREATE TRIGGER people_name_word_add AFTER INSERT OR UPDATE OF search_key ON people_person
        FOR EACH ROW EXECUTE FUNCTION people_name_word_add()""",
    """INSERT INTO people_name_word (word)
        SELECT DISTINCT lexeme FROM people_person, unnest(to_tsvector('simple'::regconfig, people_person.search_key))
        WHERE lexeme ~ '^[a-z]' ON CONFLICT DO NOTHING""",
]
PG_BACK = [
    "DROP TRIGGER IF EXISTS people_name_word_add ON people_person",
    "DROP FUNCTION IF EXISTS people_name_word_add()",
    "DROP TABLE IF EXISTS people_name_word",
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
        ("people", "0010_order_with_search_key"),
    ]

    operations = [migrations.RunPython(forward, backward)]
