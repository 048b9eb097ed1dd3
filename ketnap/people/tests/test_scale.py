"""Lists that stay fast at real scale: the accent-free search goes through an index made for it (FTS5 on
SQLite, full-text on PostgreSQL) kept in step with the names, a common name is read in the list's order; a
huge list is counted up to a cap ("more than 10,000"); a long list of units or schools is cut to its first
levels with a search box."""

import pytest
from django.db import connection
from django.urls import reverse

from ketnap.core import paging
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit, School, path_segment
from ketnap.people import search
from ketnap.people.models import Person
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db


def names(response) -> str:
    return response.content.decode()


@pytest.fixture
def people(tree):
    make_person(
        tree.cell_a, family_name="Nguyễn", middle_name="Văn", given_name="An", citizen_id="079204001234"
    )
    make_person(tree.cell_a, family_name="Nguyễn", middle_name="Thị", given_name="Hoa")
    make_person(tree.cell_b, family_name="Trần", middle_name="Văn", given_name="Ánh")
    make_person(tree.cell_b, family_name="Lê", middle_name="Thị", given_name="Vân")
    return tree


@pytest.mark.parametrize("by_order", [False, True])
def test_each_word_typed_is_the_beginning_of_a_word_of_the_name_or_the_id(people, by_order):
    def found(text):
        qs = search.matching(Person.objects.all(), text, by_order=by_order)
        return sorted(p.given_name for p in qs)

    assert found("nguyen van") == ["An"]
    assert found("NGUYỄN") == ["An", "Hoa"]
    assert found("van") == ["An", "Vân", "Ánh"]  # Văn and Vân, accents ignored
    assert found("ng th h") == ["Hoa"]  # beginnings of words
    assert found("0792") == ["An"]  # the beginning of a citizen ID
    assert found("uyen") == []  # not the middle of a word
    assert found("   ") == ["An", "Hoa", "Vân", "Ánh"]


def test_the_index_follows_a_change_of_name_and_a_new_person(people):
    p = Person.objects.get(given_name="Hoa")
    p.given_name = "Hồng"
    p.save()
    make_person(people.cell_a, family_name="Phạm", middle_name="Minh", given_name="Khôi")
    assert [x.given_name for x in search.matching(Person.objects.all(), "hong")] == ["Hồng"]
    assert not search.matching(Person.objects.all(), "hoa").exists()
    assert [x.given_name for x in search.matching(Person.objects.all(), "pham khoi")] == ["Khôi"]
    if connection.vendor == "sqlite":  # the FTS5 table holds exactly the persons
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH 'khoi'")
            assert cur.fetchone()[0] == 1


def test_a_common_name_is_listed_in_the_lists_order_and_counted_through_the_index(
    client, people, monkeypatch
):
    monkeypatch.setattr(search, "DENSE", 2)  # "nguyen" matches 2 persons: a common name here
    if (
        connection.vendor == "sqlite"
    ):  # PostgreSQL decides from the planner's estimate (a tiny table: either way)
        assert search.dense("nguyen") is True
    client.force_login(people.users["city_admin"])
    page = names(client.get(reverse("person-list"), {"q": "nguyen"}))
    assert "Nguyễn Văn An" in page and "Nguyễn Thị Hoa" in page and "Trần Văn Ánh" not in page
    assert '<span id="result-count">2</span>' in page


def test_a_huge_list_is_counted_up_to_a_cap(client, people, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr("ketnap.people.views.COUNT_CAP", 3)
    client.force_login(people.users["city_admin"])
    page = names(client.get(reverse("person-list")))
    assert '<span id="result-count">Hơn 3</span>' in page  # 4 persons: "more than 3"
    p = paging.CappedPaginator(Person.objects.all(), 2, queryset=Person.objects.all(), cap=3)
    assert (p.count, p.capped, p.num_pages, p.count_text) == (3, True, 2, "hơn 3")
    exact = paging.CappedPaginator(Person.objects.all(), 2, queryset=Person.objects.all(), cap=10)
    assert (exact.count, exact.capped, exact.count_text) == (4, False, "4")


def test_a_long_list_of_units_offers_its_first_levels_and_a_search(client, tree, monkeypatch):
    monkeypatch.setattr(org_queries, "OPTIONS_MAX", 5)
    extra = []
    for i in range(6):
        u = OrgUnit.objects.create(name=f"Chi bộ Khoa {i}", code=f"K{i}", kind="cell", parent=tree.uni)
        u.path = tree.uni.path + path_segment(u.pk)
        u.depth = tree.uni.depth + 1
        u.save()
        extra.append(u)
    user = tree.users["city_admin"]
    options = org_queries.unit_options(user)
    assert options.partial and {pk for pk, *_ in options} == {tree.city.pk, tree.upper.pk, tree.ward_a.pk,
                                                              tree.ward_b.pk}  # fmt: skip
    chosen = org_queries.unit_options(user, extra[3].pk)  # the selected one and its ancestors are kept
    assert {tree.uni.pk, extra[3].pk} <= {pk for pk, *_ in chosen}
    assert [pk for pk, *_ in org_queries.search_units(user, "khoa 4")] == [extra[4].pk]
    client.force_login(user)
    page = names(client.get(reverse("person-list")))
    assert 'id="id_unit-search"' in page and 'id="id_unit-found"' in page
    found = names(client.get(reverse("option-search", args=["don-vi"]), {"tim-don-vi": "khoa 2"}))
    assert found == f'<option value="{extra[2].pk}">Chi bộ Khoa 2</option>'
    # a viewer of one ward sees only what is in it
    ward_user = tree.users["ward_a_viewer"]
    assert org_queries.search_units(ward_user, "khoa") == []
    assert client.get(reverse("option-search", args=["khac"])).status_code == 404


def test_a_long_list_of_schools_keeps_only_the_selected_one_and_a_search(client, tree, monkeypatch):
    monkeypatch.setattr(org_queries, "OPTIONS_MAX", 2)
    user = tree.users["city_admin"]
    options = org_queries.school_options(user, tree.school_a.pk)
    assert options.partial and list(options) == [(tree.school_a.pk, tree.school_a.name)]
    assert [pk for pk, _ in org_queries.search_schools(user, "minh duc")] == [tree.school_b.pk]
    assert School.objects.count() == 3


@pytest.mark.parametrize("common", [True, False])
def test_a_search_lists_the_same_persons_read_in_order_or_through_the_index(
    client, people, monkeypatch, common
):
    """Both ways of answering a search (a common name read in the list's order, a rare one through the index)
    give the same page, on either database."""
    monkeypatch.setattr(search, "dense", lambda text, **kw: common)
    client.force_login(people.users["city_admin"])
    page = names(client.get(reverse("person-list"), {"q": "nguyen"}))
    assert "Nguyễn Văn An" in page and "Nguyễn Thị Hoa" in page and "Trần Văn Ánh" not in page
    assert '<span id="result-count">2</span>' in page


def test_a_new_word_is_found_by_a_beginning_it_shares_with_older_words(people):
    # PostgreSQL looks the words typed up in the names' words (kept by a trigger): "th" must still find a name
    # word first seen after the others
    make_person(people.cell_a, family_name="Đỗ", middle_name="Văn", given_name="Thoại")
    found = sorted(p.given_name for p in search.matching(Person.objects.all(), "th"))
    assert found == ["Hoa", "Thoại", "Vân"]
    if connection.vendor == "postgresql":  # searched as the exact words "th" begins, the new one among them
        assert search._pg_query(["th"]) == "('thi' | 'thoai')"
    p = Person.objects.get(given_name="Vân")
    p.given_name = "Thuyên"
    p.save()
    assert sorted(p.given_name for p in search.matching(Person.objects.all(), "thuy")) == ["Thuyên"]


@pytest.mark.parametrize("common", [True, False])
def test_a_search_over_several_pages_keeps_the_lists_order_and_count(client, people, monkeypatch, common):
    monkeypatch.setattr(search, "dense", lambda text, **kw: common)
    monkeypatch.setattr(paging, "SEARCH_COUNT_CAP", 70)
    monkeypatch.setattr("ketnap.people.views.SEARCH_COUNT_CAP", 70)
    given = ["Yến", "An", "Bình", "Chi", "Dung", "Giang", "Hà", "Khánh", "Lan", "Mai"]
    for i in range(60):
        make_person(
            people.cell_b, family_name="Phan", middle_name="Thị", given_name=f"{given[i % 10]} {i:02d}"
        )
    client.force_login(people.users["city_admin"])
    expected = sorted(Person.objects.filter(family_name="Phan"), key=lambda p: (p.sort_key, p.pk))

    def listed(page):
        response = client.get(reverse("person-list"), {"q": "phan thi", "page": page})
        return [p.pk for p in response.context["table"].page.object_list.data], names(response)

    first, page = listed(1)
    assert '<span id="result-count">60</span>' in page
    second, _ = listed(2)
    assert first + second == [p.pk for p in expected]
    # past the cap: "more than 70", and the pages still in order
    for i in range(15):
        make_person(people.cell_b, family_name="Phan", middle_name="Thị", given_name=f"Ánh {i:02d}")
    first, page = listed(1)
    assert '<span id="result-count">Hơn 70</span>' in page
    everyone = sorted(Person.objects.filter(family_name="Phan"), key=lambda p: (p.sort_key, p.pk))
    assert first == [p.pk for p in everyone[:50]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index holds the search key")
def test_the_lists_order_index_holds_the_search_key_on_postgresql():
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'people_person_order'")
        assert cur.fetchone()[0].endswith("(sort_key, id) INCLUDE (search_key, unit_id, stage)")


def test_words_few_enough_are_read_through_the_index_where_the_lists_order_is_slow(people, monkeypatch):
    """PostgreSQL at nation scale (the planner's estimates stand in): a single word is most often a given name,
    whose matches all sort together in the list (by given name); words matching few persons in the list's scope
    need a long read of its order. Both are read through the index when they match few persons in all."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's choice (SQLite counts through its FTS index)")
    monkeypatch.setattr(search, "estimated_rows", lambda model: 4_500_000)
    monkeypatch.setattr(search, "_match_rows", lambda typed: 60_000)
    assert search.dense("yen") is False
    assert search.dense("vu thi") is True  # (no list given: as before)
    everyone = lambda: Person.objects.all()  # noqa: E731
    monkeypatch.setattr(search, "_plan_rows", lambda qs: 800)  # few of them in the list's scope
    assert search.dense("vu thi", scoped=everyone, limit=1001) is False
    monkeypatch.setattr(
        search, "_plan_rows", lambda qs: 60_000
    )  # spread over the list: found early in its order
    assert search.dense("vu thi", scoped=everyone, limit=1001) is True
    monkeypatch.setattr(search, "_match_rows", lambda typed: 300_000)  # too many to read through the index
    assert search.dense("yen") is True
    assert search.dense("vu thi", scoped=everyone, limit=1001) is True
    monkeypatch.setattr(search, "_match_rows", lambda typed: 1_000)  # rare: through the index, as before
    assert search.dense("yen") is False
