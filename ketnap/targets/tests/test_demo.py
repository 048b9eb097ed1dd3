"""The demo city comes with targets, "no source left" records and a rollup that matches a recomputation."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ketnap.interorg.models import Request, quarterly_fields
from ketnap.orgs.models import OrgUnit
from ketnap.targets import conf, rollups
from ketnap.targets.models import NoSourceRecord, Rollup, Target

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def seeded(db):
    call_command("seed", "--size", "small", "--today", TODAY.isoformat(), stdout=io.StringIO())


def test_the_demo_has_targets_and_a_consistent_rollup(seeded):
    windows = conf.default_windows(TODAY)
    assert set(rollups.built_keys()) == {w.key for w in windows}
    assert (
        Target.objects.filter(indicator="HE_ADMISSIONS", window="SY2026", unit__code="TU").get().value == 1100
    )
    assert 1 <= NoSourceRecord.objects.filter(window="SY2026").count() <= 2
    root = OrgUnit.objects.get(code="TU")
    assert Rollup.objects.get(window="SY2025", unit=root).admitted > 0
    assert rollups.check(windows) == []
    # the demo's letters carry the quarterly list's fields as the app computes them when it sends one
    letters = Request.objects.select_related("person")
    assert letters.filter(quarter__isnull=False).exists()
    assert all((r.quarter, r.person_sort_key) == quarterly_fields(r, r.person) for r in letters)


def test_the_demo_dashboard_opens_for_the_city_admin(seeded, client: Client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="thanhuy.admin"))
    root = OrgUnit.objects.get(code="TU")
    response = client.get(reverse("targets-dashboard", args=[root.pk]))
    assert response.status_code == 200 and "1.100" in response.content.decode()
