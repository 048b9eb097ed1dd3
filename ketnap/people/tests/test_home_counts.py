"""The home page's numbers per stage: counted exactly, except for a whole-tree scope of more than a million
persons on PostgreSQL, whose large stages are the database statistics' estimate, said as such ("khoảng")."""

import re

import pytest
from django.urls import reverse

from ketnap.people import queries
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def persons(tree):
    for _ in range(3):
        make_person(tree.cell_a, stage="SOURCE")
    make_person(tree.cell_b, stage="SOURCE")
    make_person(tree.cell_b, stage="APPLICANT")
    return tree


def stage_counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-stage="(\w+)">.*?stage-count">(.*?)</span>\s*</a>', page, re.S))


def test_a_small_scope_is_counted_exactly(client, persons):
    counts, estimated = queries.stage_counts_for(persons.users["city_viewer"])
    assert (counts["SOURCE"], counts["APPLICANT"], estimated) == (4, 1, set())
    client.force_login(persons.users["city_viewer"])
    page = client.get(reverse("home")).content.decode()
    assert "khoảng" not in page and stage_counts(page)["SOURCE"] == "4"


def test_a_nation_wide_scope_estimates_its_large_stages_only(client, persons, monkeypatch):
    # the statistics of a nation: 2,281,234 sources (shown rounded to the thousand, as an estimate); 900
    # applicants (under 100,000: counted, here 1)
    monkeypatch.setattr(queries, "_stage_estimates", lambda: {"SOURCE": 2_281_234, "APPLICANT": 900})
    counts, estimated = queries.stage_counts_for(persons.users["city_viewer"])
    assert (counts["SOURCE"], counts["APPLICANT"], counts["OFFICIAL"], estimated) == (
        2_281_000,
        1,
        0,
        {"SOURCE"},
    )
    client.force_login(persons.users["city_viewer"])
    page = client.get(reverse("home")).content.decode()
    shown = stage_counts(page)
    assert "khoảng" in shown["SOURCE"] and "2,281,000" in shown["SOURCE"].replace(".", ",")
    assert shown["APPLICANT"] == "1"
    # the pool adds the estimate and the counted applicant: rounded to the thousand too (2,281,001 → 2,281,000)
    pool = re.search(r'id="count-pool">khoảng ([\d.,]+)<', page).group(1)
    assert pool.replace(".", ",") == "2,281,000" and re.search(r'id="count-members">0<', page)


def test_a_ward_scope_is_never_estimated(persons, monkeypatch):
    monkeypatch.setattr(queries, "_stage_estimates", lambda: {"SOURCE": 2_281_234})
    counts, estimated = queries.stage_counts_for(persons.users["ward_a"])
    assert (counts["SOURCE"], estimated) == (3, set())
