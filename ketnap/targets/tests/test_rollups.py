"""The rollup follows the ledger inside the actions' transactions, and a rebuild finds no drift."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command

from ketnap.orgs import actions as org_actions
from ketnap.people import actions
from ketnap.targets import queries, rollups
from ketnap.targets.models import Rollup
from ketnap.testing import make_person, prepare_applicant

pytestmark = pytest.mark.django_db
D = datetime.date
WINDOWS = ["SY2025", "CY2026", "SY2024"]


@pytest.fixture
def built(tree):
    rollups.build([queries.window(k) for k in WINDOWS])
    return tree


def admit(tree, **fields):
    """A student of the university's student cell, admitted on 06/05/2026 through the actions."""
    person = prepare_applicant(make_person(tree.cell_student, **fields), tree.users["cell_secretary"])
    sec, committee = tree.users["cell_secretary"], tree.users["uni_committee"]
    actions.record_cell_vote(
        person, acting_user=sec, occurred_on=D(2026, 4, 2), official_members=12, in_favour=9
    )
    actions.record_committee_vote(
        person, acting_user=committee, occurred_on=D(2026, 4, 10), members=9, in_favour=7
    )
    decision = actions.record_decision(person, acting_user=committee, occurred_on=D(2026, 5, 6), decider=tree.uni,
                                       received=D(2026, 5, 8), members=9, in_favour=8, number="123-QĐ/ĐU")  # fmt: skip
    person.refresh_from_db()
    return person, decision


def no_drift():
    return rollups.check([queries.window(k) for k in WINDOWS]) == []


def test_an_admission_recorded_through_the_actions_shows_at_once(built):
    tree = built
    admit(built, school_role="student", excellent_youth_union_member=True)
    t = queries.totals_at(tree.cell_student.pk, "SY2025")
    assert (t["admitted"], t["admitted_excellent"], t["he_admitted"]) == (1, 1, 1)
    assert (t["sources"], t["sympathisers"], t["applicants"]) == (0, 1, 1)  # the class was on 10/10/2025
    city = queries.values_at(tree.city.pk, "SY2025")
    assert city["HE_ADMISSIONS"] == 1 and city["HE_EXCELLENT_YOUTH"] == 1
    assert queries.totals_at(tree.city.pk, "CY2026")["admitted"] == 1
    assert no_drift()


def test_a_voided_decision_leaves_the_totals(built):
    tree = built
    person, decision = admit(built)
    actions.correct_event(decision, acting_user=tree.users["uni_committee"], void=True, note="Ghi nhầm người")
    assert queries.totals_at(tree.city.pk, "SY2025")["admitted"] == 0
    assert no_drift()


def test_correcting_a_persons_role_moves_the_teacher_count(built):
    tree = built
    person, _ = admit(built, school_role="student")
    assert queries.totals_at(tree.cell_student.pk, "SY2025")["admitted_teacher"] == 0
    actions.update_person(person, acting_user=tree.users["city_admin"], reason="Là giảng viên trẻ",
                          school_role="teacher")  # fmt: skip
    assert queries.totals_at(tree.cell_student.pk, "SY2025")["admitted_teacher"] == 1
    assert no_drift()


def test_a_tampered_row_is_found_and_a_rebuild_fixes_it(built):
    tree = built
    admit(built)
    Rollup.objects.filter(window="SY2025", unit=tree.city).update(admitted=99)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("rebuild_rollups", "--check", "--window", "SY2025", stdout=out)
    assert exc.value.code == 1 and "admitted" in out.getvalue()
    call_command("rebuild_rollups", "--window", "SY2025", stdout=io.StringIO())
    assert queries.totals_at(tree.city.pk, "SY2025")["admitted"] == 1
    call_command("rebuild_rollups", "--check", "--window", "SY2025", stdout=io.StringIO())


def test_moving_a_unit_rebuilds_the_windows_it_touches(built):
    tree = built
    admit(built)
    # the student cell moves to the staff cell's… no: to ward B (an odd move, but a move) from 01/06/2026
    org_actions.move_unit(
        tree.cell_student, tree.ward_b, acting_user=tree.users["city_admin"], on=D(2026, 6, 1)
    )
    assert queries.parent_at(tree.cell_student.pk, "SY2025") == tree.ward_b.pk
    assert queries.totals_at(tree.ward_b.pk, "SY2025")["admitted"] == 1
    assert queries.totals_at(tree.uni.pk, "SY2025")["admitted"] == 0
    assert no_drift()


@pytest.mark.django_db(transaction=True)  # the stocks are counted on a second connection: committed rows only
def test_the_parallel_build_writes_the_same_rows(built, monkeypatch):
    """On PostgreSQL a big tree is computed by two forked workers, its persons' stocks counted on a second
    connection and the tree read in a thread meanwhile; forcing it on the test tree changes no row."""
    admit(built)
    actions.identify_source(acting_user=built.users["cell_clerk"], unit=built.cell_student, occurred_on=D(2025, 9, 15),
                            citizen_id="079205001234", family_name="Lê", middle_name="Thị", given_name="Hoa",
                            birth_date=D(2005, 1, 2), gender="F", education="upper_secondary",
                            school_role="student")  # fmt: skip
    rollups.build([queries.window(k) for k in WINDOWS])

    def rows():
        return sorted(
            Rollup.objects.values_list(
                "window", "unit_id", "own_lagging", *rollups.ind.TOTAL_FIELDS, *rollups.NODE_FIELDS
            )
        )

    before = rows()
    assert all(sum(r[3 + rollups.P[f]] for r in before) for f in ("pool_end", "members_end", "admitted"))
    monkeypatch.setattr(rollups, "PARALLEL_UNITS", 0)
    rollups.build([queries.window(k) for k in WINDOWS])
    assert rows() == before
    assert no_drift()
    assert queries.totals_at(built.city.pk, "SY2025")["admitted"] == 1


def test_a_full_rebuild_leaves_the_same_indexes_and_constraints(built):
    """A full rebuild drops the indexes (on PostgreSQL the primary key and the unique constraint too) and
    builds them again after loading the rows: same names, same definitions."""
    from django.db import connection

    def schema():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'targets_rollup'")
                rows = cur.fetchall()
                cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = 'targets_rollup'::regclass")  # fmt: skip
                return sorted(rows + cur.fetchall())
            cur.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'targets_rollup'")
            return sorted(cur.fetchall())

    before = schema()
    assert any("window" in str(sql) and "unit_id" in str(sql) for _, sql in before)
    rollups.build([queries.window(k) for k in WINDOWS])
    assert schema() == before
    assert no_drift()


def test_step_medians_count_every_completion_and_sample_above_the_limit(built):
    from ketnap.people import ledger
    from ketnap.targets.tests.builders import person

    tree = built
    cal = ledger.load_calendar()
    for days in (10, 20, 31):  # recorded as the actions do: the rollup counts them
        person(tree.cell_a, [("source_identified", D(2025, 10, 1)),
                             ("awareness_class", D(2025, 10, 1) + datetime.timedelta(days=days))],
               incremental=True)  # fmt: skip
    row = queries.row_at(tree.city.pk, "SY2025")
    full = queries.step_medians(None, row, cal)
    # the middle one: 01/10/2025 → 21/10/2025
    assert full[0]["count"] == 3 and not full[0]["sampled"]
    assert full[0]["median"] == cal.working_days_between(D(2025, 10, 1), D(2025, 10, 21))
    sampled = queries.step_medians(None, row, cal, sample=2)
    assert sampled[0]["count"] == 3 and sampled[0]["sampled"] and sampled[0]["sample"] <= 3


def test_the_sampled_days_are_working_days_spread_over_the_window():
    from ketnap.people import ledger

    cal = ledger.load_calendar()
    # 20 completions from Monday 2/3/2026 to Wednesday 11/3/2026 (10 days), about 10 wanted: 5 days, one in the
    # middle of each fifth of the span (offsets 1, 3, 5, 7, 9), moved to the next working day when needed
    days = queries.sample_days(D(2026, 3, 2), D(2026, 3, 11), 20, 10, cal)
    # offsets 1 → Tue 3/3, 3 → Thu 5/3, 5 → Sat 7/3 → Mon 9/3, 7 → Mon 9/3, 9 → Wed 11/3
    assert days == [D(2026, 3, 3), D(2026, 3, 5), D(2026, 3, 9), D(2026, 3, 11)]
    assert queries.sample_days(D(2026, 3, 2), D(2026, 3, 11), 10, 10, cal) is None  # few: all of them


@pytest.mark.django_db(transaction=True)
def test_a_tree_move_on_a_large_tree_is_queued_with_a_banner_meanwhile(tree, client, settings):
    """Above KETNAP_ROLLUP_INLINE_UNITS units the move only marks the windows and queues the rebuild (not
    inside the request); the dashboards say so until `ketnap db_worker` has run it."""
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    settings.KETNAP_ROLLUP_INLINE_UNITS = 1
    rollups.build([queries.window(k) for k in WINDOWS])
    admit(tree)
    org_actions.move_unit(
        tree.cell_student, tree.ward_b, acting_user=tree.users["city_admin"], on=D(2026, 6, 1)
    )
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("rebuild_windows") and task.status == "READY"
    assert rollups.tree_change_pending("SY2025") == D(2026, 6, 1)
    # meanwhile the rows still follow the tree before the move, and the dashboard says so
    assert queries.parent_at(tree.cell_student.pk, "SY2025") == tree.uni.pk
    client.force_login(tree.users["city_admin"])
    url = reverse("targets-dashboard", args=[tree.city.pk]) + "?ky=SY2025"
    assert 'id="rebuild-banner"' in client.get(url).content.decode()
    call_command(
        "db_worker", "--batch", "--queue-name", "default", stdout=io.StringIO(), stderr=io.StringIO()
    )
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert rollups.tree_change_pending("SY2025") is None
    assert queries.parent_at(tree.cell_student.pk, "SY2025") == tree.ward_b.pk
    assert queries.totals_at(tree.ward_b.pk, "SY2025")["admitted"] == 1
    assert 'id="rebuild-banner"' not in client.get(url).content.decode()
    assert no_drift()
    # the next day, the first page seen queues the day's projection snapshot, once
    taken = rollups.RollupWindow.objects.get(key="CY2026").projection["as_of"]
    tomorrow = D.fromisoformat(taken) + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(tomorrow, datetime.time(9)), tick=False):
        client.force_login(tree.users["city_admin"])  # (a session lasts a working day)
        assert client.get(url).status_code == 200 and client.get(url).status_code == 200
        queued = DBTaskResult.objects.filter(task_path__endswith="refresh_projections")
        assert queued.count() == 1 and queued.get().status == "READY"
        call_command("db_worker", "--batch", "--queue-name", "default", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    assert rollups.RollupWindow.objects.get(key="CY2026").projection["as_of"] == tomorrow.isoformat()


def test_the_events_index_of_the_rebuild_holds_the_kinds_it_counts():
    """PostgreSQL: `people_event_counted` (people migration 0012, SQL) holds the kinds the rebuild reads (the flows
    and the 4-KNĐ) with the columns it reads, so those reads stay index-only when a kind is added to the flows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("an index with included columns: PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'people_event_counted'")
        (sql,) = cur.fetchone()
    assert "(kind, occurred_on) INCLUDE (person_id, org_id)" in sql
    kinds = set(re.findall(r"'([a-z_]+)'::character varying", sql))
    assert kinds == {*rollups.ind.FLOW_KINDS, rollups.ind.EXCELLENT_KIND}


def test_rows_lost_by_a_crash_are_built_again_on_their_next_use(built, monkeypatch):
    """On PostgreSQL the rollup is UNLOGGED (a cache of the ledger: its rebuilds write no WAL), and a recovery
    from a crash empties it: the windows recorded as built are then forgotten and built again on their next
    use, never shown empty."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT relpersistence FROM pg_class WHERE relname = 'targets_rollup'")
            assert cur.fetchone()[0] == "u"
    monkeypatch.setattr(rollups, "LOSES_ROWS", {connection.vendor})  # (SQLite's table is never emptied so)
    before = {k: Rollup.objects.filter(window=k).count() for k in WINDOWS}
    assert rollups.ensure([queries.window("SY2025")]) == []  # nothing lost: nothing built
    with connection.cursor() as cur:
        cur.execute("DELETE FROM targets_rollup")  # what the recovery leaves
    assert rollups.ensure([queries.window("SY2025")]) == ["SY2025"]
    assert rollups.built_keys() == {"SY2025"}
    assert Rollup.objects.filter(window="SY2025").count() == before["SY2025"] > 0
    assert rollups.check([queries.window("SY2025")]) == []
    assert rollups.ensure([queries.window(k) for k in WINDOWS]) == ["CY2026", "SY2024"]
    assert {k: Rollup.objects.filter(window=k).count() for k in WINDOWS} == before
    # lost again, and this time a build of one window comes first (a tree change): the others are not
    # left recorded as built with no row
    with connection.cursor() as cur:
        cur.execute("DELETE FROM targets_rollup")
    rollups.build([queries.window("CY2026")])  # (with the past years its projection learns from)
    built = rollups.built_keys()
    assert "CY2026" in built and all(Rollup.objects.filter(window=k).exists() for k in built)
    rollups.ensure([queries.window(k) for k in WINDOWS])
    assert rollups.check([queries.window(k) for k in rollups.built_keys()]) == []
    assert {k: Rollup.objects.filter(window=k).count() for k in WINDOWS} == before


def test_the_tree_read_as_columns_is_the_rule_books(built):
    """A build reads the tree as columns of integers (`rollups.tree_arrays`): the same units, parents'
    history and schools as the rule book's records, and so the same window trees."""
    from ketnap.rules import indicators as ind
    from ketnap.targets import arrays

    tree = built
    admin = tree.users["city_admin"]
    org_actions.move_unit(tree.cell_student, tree.ward_b, acting_user=admin, on=D(2026, 6, 1))
    org_actions.move_unit(tree.cell_student, tree.uni, acting_user=admin, on=D(2026, 7, 1))
    data = ind.prepare_tree(*rollups.load_tree_records())
    assert sum(len(v) for v in data.links_of.values()) >= 3
    read, reference = rollups.tree_arrays(), arrays.TreeArrays.from_data(data)
    for name in ("ids", "is_cell", "plain_cell", "grassroots", "student", "founded", "dissolved", "parent",
                 "nlinks", "link_start", "link_parent", "link_from", "link_to", "has_levels", "he_org"):  # fmt: skip
        assert getattr(read, name).tolist() == getattr(reference, name).tolist(), name
    assert sorted(zip(read.school_org.tolist(), read.school_ward.tolist())) == sorted(
        zip(reference.school_org.tolist(), reference.school_ward.tolist())
    )
    for key in ("SY2025", "CY2026", "SY2026"):
        w = queries.window(key)
        got, expected = arrays.window_tree(read, w), arrays.Tree(ind.window_tree(data, window=w))
        assert got.ids.tolist() == expected.ids.tolist() and got.paths == expected.paths
        assert got.parent.tolist() == expected.parent.tolist()
        assert got.k12_schools.tolist() == expected.k12_schools.tolist()
