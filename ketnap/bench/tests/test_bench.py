"""`ketnap bench dashboard` on the small `mini` dataset: the generator writes a consistent ledger, the rollup
equals a recomputation, and the hand-written SQL baseline finds the same root numbers."""

import io
import json

import pytest
from django.core.management import call_command

from ketnap.bench import measure
from ketnap.interorg.models import Kind, Request, quarterly_fields
from ketnap.people import ledger
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups

pytestmark = pytest.mark.django_db


def test_the_dashboard_bench_prints_the_two_figures_and_agrees_with_its_baseline(settings):
    # with the production default (two factors for committees and admins) the bench user still measures pages
    settings.KETNAP_2FA_REQUIRED_ROLES = ["committee", "admin"]
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
    # the persons' cached first steps are what their ledgers say (the rollup's SQL reads them)
    firsts = list(ledger.FIRST_ON.values())
    for person in Person.objects.order_by("?")[:300]:
        events = list(person.events.all())
        result = ledger.evaluate(person, events, timezone.localdate(), ledger.load_calendar())
        projected = ledger.project(person, result, events)
        assert {f: getattr(person, f) for f in firsts} == {f: projected[f] for f in firsts}, person.pk
    # the letters carry the quarterly list's fields as the app computes them
    transfers = Request.objects.filter(kind=Kind.TRANSFER).select_related("person")
    assert transfers.exists()
    assert all((r.quarter, r.person_sort_key) == quarterly_fields(r, r.person) for r in transfers)
    # a second dataset into the same database is refused
    with pytest.raises(Exception, match="dữ liệu"):
        measure.ensure_dataset("city", print)
    assert ind.INDICATORS  # (registry imported)


@pytest.mark.django_db(transaction=True)
def test_the_load_command_drives_the_served_app_and_finds_every_write(live_server, settings):
    """A few seconds and a few users of `ketnap bench load` (the 200 users of a minute are `make bench`'s):
    Locust drives the pages of the demo, a clerk adds a source through the form, and the write is found."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("seed", "--size", "small", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench", "load", "--users", "4", "--duration", "4", "--url", live_server.url, "--json",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    result = json.loads(out.getvalue())
    assert result["requests"] > 0 and result["errors"] == 0, result["by_kind"]
    assert result["p95_ms"] is not None
    assert result["writes"]["persons"] >= 1 and result["writes"]["lost"] == 0
    assert "ghi: thêm nguồn (gửi)" in result["by_kind"]


def test_the_load_command_reports_the_served_apps_restarts_and_errors(tmp_path):
    from ketnap.bench.load import _log_summary

    log = tmp_path / "server.log"
    log.write_text(
        "[INFO] Booting worker with pid: 11\n[INFO] Booting worker with pid: 12\n"
        "[CRITICAL] WORKER TIMEOUT (pid:11)\n[INFO] Booting worker with pid: 13\nTraceback (most recent call last):\n"
    )
    summary = _log_summary(str(log))
    assert summary["workers_started"] == 3
    assert summary["errors"] == ["[CRITICAL] WORKER TIMEOUT (pid:11)", "Traceback (most recent call last):"]
    assert _log_summary(str(tmp_path / "none.log")) == {}
