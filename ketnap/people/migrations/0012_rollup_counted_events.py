# PostgreSQL: the events of the kinds the indicator rollup counts (rules.indicators.FLOW_KINDS and EXCELLENT_KIND,
# the Youth Union's 4-KNĐ) with the person and the organisation, read index-only by a full rebuild
# (targets.rollups) instead of the whole table. SQLite has no included columns: nothing changes there, and the
# model's state is the same on both. The SQL is written here (not imported) so that the migration never changes;
# a test checks that the kinds are still those the rollup counts. At nation scale (43.5 M events, 21.4 M of these
# kinds) it takes ≈ 27 s and 1.15 GB; writes of events wait meanwhile.

from django.db import migrations

KINDS = ["application", "awareness_class", "cell_vote", "ceremony", "decision", "recognition_decision", "removal",
         "source_identified", "withdrawal", "youth_union_introduction"]  # fmt: skip
PG = (
    "CREATE INDEX IF NOT EXISTS people_event_counted ON people_personevent (kind, occurred_on) "
    "INCLUDE (person_id, org_id) WHERE kind IN ({})".format(", ".join(f"'{k}'" for k in KINDS))
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_event_counted")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0011_name_words"),
    ]

    operations = [migrations.RunPython(forward, backward)]
