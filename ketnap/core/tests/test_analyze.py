"""Migrations that change something refresh the planner's statistics (an index added by a migration has none)."""

import pytest
from django.db import connection

from ketnap.core.apps import analyze_after_migrate
from ketnap.testing import build_tree, make_person

pytestmark = pytest.mark.django_db


def _stats_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'people_person'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'people_person'")
        return cursor.fetchone()[0]


def test_a_migration_run_that_applied_something_analyzes_and_one_that_did_not_leaves_it():
    tree = build_tree()
    for i in range(3):
        make_person(tree.cell_student, given_name=f"Người {i}")
    before = _stats_rows()  # the test database was migrated with empty tables: no statistics of persons
    analyze_after_migrate(sender=None, plan=[], using="default")  # nothing applied: nothing to do
    assert _stats_rows() == before
    analyze_after_migrate(sender=None, plan=[("migration", False)], using="default")
    assert _stats_rows() > 0
