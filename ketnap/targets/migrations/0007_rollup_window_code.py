"""The rollup's window stored as a small integer (targets.models.WindowKeyField): "SY2025" → 20251, "CY2026" →
20262. The rows are converted in place (the rollup stays built): on PostgreSQL by one ALTER ... USING (the
indexes are built again with it), on SQLite by rewriting the keys as numbers before the column's type
changes (the table is copied with integer affinity)."""

from django.db import migrations

import ketnap.targets.models

CODE = """(CAST(SUBSTR("window", 3) AS INTEGER) * 10 + CASE WHEN "window" LIKE 'SY%%' THEN 1 ELSE 2 END)"""
KEY = """(CASE WHEN CAST("window" AS INTEGER) %% 10 = 1 THEN 'SY' ELSE 'CY' END
          || CAST(CAST("window" AS INTEGER) / 10 AS VARCHAR(4)))"""


def to_codes(apps, schema_editor):
    table = apps.get_model("targets", "Rollup")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN "window" TYPE smallint USING {CODE}')
    else:
        schema_editor.execute(f'UPDATE {table} SET "window" = {CODE}')


def to_keys(apps, schema_editor):
    table = apps.get_model("targets", "Rollup")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN "window" TYPE varchar(8) USING {KEY}')
    else:
        schema_editor.execute(f'UPDATE {table} SET "window" = {KEY}')


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0006_rollup_no_unit_index"),
    ]

    operations = [
        migrations.RunPython(to_codes, to_keys),
        migrations.AlterField(
            model_name="rollup",
            name="window",
            field=ketnap.targets.models.WindowKeyField(),
        ),
    ]
