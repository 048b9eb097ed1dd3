"""The rollup table is UNLOGGED on PostgreSQL: a cache rebuilt from the ledger (`ketnap rebuild-rollups`), whose
writes need no write-ahead log. A full rebuild at nation scale wrote ≈ 3 GB of WAL for its 4.1 M rows and 12
indexes (67 s logged, 60 s unlogged on the bench machine). The price: after a crash of PostgreSQL (not a clean
stop) the table comes back empty; `targets.rollups.ensure` sees it and builds the windows again on the next
use (see docs/architecture.md). A standby server does not receive it (Ketnap reads no standby). Rewriting the
table takes ≈ 20 s at nation scale; SQLite has no such thing."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE targets_rollup SET UNLOGGED")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE targets_rollup SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("targets", "0007_rollup_window_code")]

    operations = [migrations.RunPython(forward, backward)]
