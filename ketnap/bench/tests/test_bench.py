"""`ketnap bench dashboard` on the small `mini` dataset: the generator writes a consistent ledger, the rollup
equals a recomputation, and the hand-written SQL baseline finds the same root numbers."""

import io
import json

import pytest
from django.core.management import call_command

from ketnap.bench import measure
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups

pytestmark = pytest.mark.django_db


def test_the_dashboard_bench_prints_the_two_figures_and_agrees_with_its_baseline():
    out = io.StringIO()
    call_command(
        "bench", "dashboard", "--size", "mini", "--runs", "1", "--json", stdout=out, stderr=io.StringIO()
    )
    result = json.loads(out.getvalue())
    assert result["dashboard_ms"] > 0 and result["sql_baseline_ms"] > 0
    assert result["baseline_matches_rollup"] is True
    assert result["meta"]["persons"] == 6000 and result["meta"]["events"] > 40_000
    for name in ("school_ms", "drilldown_ms", "people_list_ms", "person_page_ms"):
        assert result[name] > 0


def test_the_generated_ledger_gives_the_same_rollup_both_ways():
    call_command("bench", "dataset", "--size", "mini", stdout=io.StringIO(), stderr=io.StringIO())
    assert Person.objects.count() == 6000
    kinds = set(PersonEvent.objects.values_list("kind", flat=True).distinct())
    assert {"source_identified", "decision", "recognition_decision", "member_imported"} <= kinds
    from django.utils import timezone

    assert rollups.check(conf.default_windows(timezone.localdate())) == []
    # a second dataset into the same database is refused
    with pytest.raises(Exception, match="dữ liệu"):
        measure.ensure_dataset("city", print)
    assert ind.INDICATORS  # (registry imported)
