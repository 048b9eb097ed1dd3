"""The order and the number of the lists behind the numbers, read the way a nation-sized database can serve
them (an index in the list's order, the number from the rollup), on a small hand-built tree:

    Thành ủy (city)
    ├── ward P1 ─ "Chi bộ Trường Z" (2 admissions) ─ "Chi bộ Trường B" ─ "Chi bộ Trường Y"
    ├── ward P2 ─ "Chi bộ Trường A" (2 admissions) ─ "Chi bộ Trường X"
    └── upper U ─ university committee G ─ "Chi bộ Sinh viên" (1 admission) ─ "Chi bộ Khoa"

All five are K-12 grassroots cells (a primary school each). For K12_CELL_TWO (two admissions in the school
year 2025–2026) the list shows the three cells missing it first, then the two that meet it, each part in the
tree's order (ward by ward, a cell beside its siblings), not by name.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ketnap.accounts.models import RoleAssignment
from ketnap.rules import indicators as ind
from ketnap.targets import conf, queries, rollups, views
from ketnap.targets.models import CELL_LISTS, Rollup
from ketnap.targets.tests.builders import K, admitted, school, unit

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)
SY25 = "SY2025"


@pytest.fixture
def t():
    t = type("T", (), {})()
    t.city = unit("Thành ủy", K.CITY)
    t.p1 = unit("Phường P1", K.WARD, t.city, founded=D(2015, 1, 1), links=[])
    t.z = unit("Chi bộ Trường Z", K.GRASSROOTS_CELL, t.p1, founded=D(2010, 1, 1), cell_kind="staff")
    t.b = unit("Chi bộ Trường B", K.GRASSROOTS_CELL, t.p1, founded=D(2010, 1, 1), cell_kind="staff")
    t.y = unit("Chi bộ Trường Y", K.GRASSROOTS_CELL, t.p1, founded=D(2010, 1, 1), cell_kind="staff")
    t.p2 = unit("Phường P2", K.WARD, t.city, founded=D(2015, 1, 1), links=[])
    t.a = unit("Chi bộ Trường A", K.GRASSROOTS_CELL, t.p2, founded=D(2010, 1, 1), cell_kind="staff")
    t.x = unit("Chi bộ Trường X", K.GRASSROOTS_CELL, t.p2, founded=D(2010, 1, 1), cell_kind="staff")
    for cell in (t.z, t.b, t.y, t.a, t.x):
        school(cell.name.replace("Chi bộ ", ""), "primary", cell, cell.parent)
    for cell in (t.z, t.a):
        admitted(cell, D(2025, 10, 2))
        admitted(cell, D(2025, 11, 3))
    # a university (for the higher-education cell lists): a student cell admitting one, a staff cell
    t.u = unit("Đảng ủy khối U", K.UPPER, t.city)
    t.g = unit("Đảng ủy trường G", K.GRASSROOTS, t.u)
    school("Trường Đại học G", "university", t.g, t.p1)
    t.s = unit("Chi bộ Sinh viên", K.CELL, t.g, founded=D(2015, 1, 1), cell_kind="student")
    t.f = unit("Chi bộ Khoa", K.CELL, t.g, founded=D(2015, 1, 1), cell_kind="staff")
    admitted(t.s, D(2025, 10, 2), role="student")
    rollups.build(conf.default_windows(TODAY), as_of=TODAY)
    t.admin = get_user_model().objects.create_user(username="city", password="x-secret-123")
    RoleAssignment.objects.create(user=t.admin, unit=t.city, role="committee")
    return t


def names_in(body: str) -> list[str]:
    table = body.split('id="indicator-units"')[1].split("</table>")[0]
    return re.findall(r">(Chi bộ Trường [A-Z])<", table)


def test_the_cells_behind_a_cell_indicator_missing_ones_first_in_the_trees_order(t):
    spec = ind.ALL_INDICATORS["K12_CELL_TWO"]
    row = queries.row_at(t.city.pk, SY25)
    listed = [(r.unit.name, r.k12_cells_two) for r in queries.indicator_units_qs(row, spec)]
    assert listed == [("Chi bộ Trường B", 0), ("Chi bộ Trường Y", 0), ("Chi bộ Trường X", 0),
                      ("Chi bộ Trường Z", 1), ("Chi bộ Trường A", 1)]  # fmt: skip
    ward = queries.row_at(t.p2.pk, SY25)  # a subtree: its own cells only, in the same order
    assert [r.unit.name for r in queries.indicator_units_qs(ward, spec)] == [
        "Chi bộ Trường X",
        "Chi bộ Trường A",
    ]


def test_the_cell_list_pages_in_that_order_and_counts_the_cards_number(client, t, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    client.force_login(t.admin)
    base = reverse("targets-indicator", args=[t.city.pk, "K12_CELL_TWO"]) + f"?ky={SY25}"
    pages = [client.get(base + f"&trang={n}") for n in (1, 2, 3)]
    assert all(p.status_code == 200 for p in pages)
    bodies = [p.content.decode() for p in pages]
    assert [names_in(b) for b in bodies] == [["Chi bộ Trường B", "Chi bộ Trường Y"],
                                             ["Chi bộ Trường X", "Chi bộ Trường Z"], ["Chi bộ Trường A"]]  # fmt: skip
    # the list's number is the card's population (the rollup's k12_cells: 5), on every page
    assert queries.totals_at(t.city.pk, SY25)["k12_cells"] == 5
    assert all("5 chi bộ trong đối tượng tính" in b and "Trang" in b for b in bodies)
    assert "Trang 3/3" in bodies[2]


def test_every_cell_list_has_its_index_in_the_lists_order():
    # targets.models.CELL_LISTS names the (population, numerator) flags of each partial index: exactly the
    # cell indicators' flags, so that each list is read from an index in its own order
    flags = {(i.population_flag, i.ok_flag) for i in ind.ALL_INDICATORS.values() if i.population_flag}
    assert flags == {(population, ok) for population, ok, _ in CELL_LISTS}


def test_every_cell_list_has_as_many_cells_as_its_number_for_every_unit_and_window(t):
    # the page shows the rollup's population as the list's number: it must be the length of the list
    checked = 0
    for key in ("SY2025", "SY2024", "CY2026"):
        for row in Rollup.objects.filter(window=key):
            for spec in ind.ALL_INDICATORS.values():
                if spec.population_flag and spec.window_kind == key[:2]:
                    listed = list(queries.indicator_units_qs(row, spec))
                    assert len(listed) == getattr(row, spec.population_flag), (key, row.unit_id, spec.id)
                    assert sum(getattr(r, spec.ok_flag) for r in listed) == getattr(row, spec.ok_flag)
                    checked += bool(listed)
    assert checked >= 10
    root = queries.row_at(t.city.pk, SY25)
    assert (root.k12_cells, root.he_subcells, root.he_student_cells) == (5, 2, 1)
