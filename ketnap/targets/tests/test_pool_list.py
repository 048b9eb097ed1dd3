"""A pool number and the list it opens agree: the lagging list's "Nguồn" (the rollup's pool_end at the
window's end, counted at the unit that held each person then) links to the list of the persons behind it,
built with the same rule (rules.indicators.pool_holder). Checked on a hand-built tree with the cases that
used to differ: admitted or withdrawn persons, persons who moved, a corrected source date, a past window."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ketnap.accounts.models import RoleAssignment
from ketnap.orgs.models import OrgUnit
from ketnap.people import actions, ledger
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import indicators as ind
from ketnap.targets import queries, rollups
from ketnap.targets.models import Rollup
from ketnap.targets.tests.builders import person, school, unit, votes

pytestmark = pytest.mark.django_db
D = dt.date
K = OrgUnit.Kind
WINDOWS = ("SY2025", "SY2026")  # 01/09/2025–31/08/2026 (past on the dates below), 01/09/2026–31/08/2027


@pytest.fixture
def city(db):
    t = type("City", (), {})()
    t.city = unit("Thành ủy", K.CITY)
    t.school = unit("Đảng ủy Trường Đại học Mẫu", K.GRASSROOTS, t.city)
    school("Trường Đại học Mẫu", "university", party_org=t.school)
    t.x = unit("Chi bộ Sinh viên", K.CELL, t.school, cell_kind="student", founded=D(2015, 1, 1))
    t.y = unit("Chi bộ Khoa Toán", K.CELL, t.school, cell_kind="staff", founded=D(2015, 1, 1))
    src = D(2025, 3, 1)
    t.still = person(t.x, [("source_identified", src)], given_name="Nguồn")  # in both pools
    t.admitted = person(
        t.x,
        [("source_identified", src), *votes(D(2026, 5, 4), t.x), ("decision", D(2026, 5, 4))],
        given_name="Nạp",
    )
    t.late_admit = person(
        t.x,
        [("source_identified", src), *votes(D(2026, 10, 5), t.x), ("decision", D(2026, 10, 5))],
        given_name="Muộn",
    )
    t.withdrawn = person(t.x, [("source_identified", src), ("withdrawal", D(2026, 2, 2))], given_name="Rút")
    t.newcomer = person(t.x, [("source_identified", D(2026, 9, 15))], given_name="Mới")  # SY2026 only
    t.imported = person(t.x, [("member_imported", D(2020, 1, 1), {"stage": "OFFICIAL",
                        "party_age_from": "2019-05-19", "ceremony_date": "2019-06-01"})], given_name="Cũ")  # fmt: skip
    # moved from X to Y on 10/10/2026: held by X at the end of SY2025, by Y at the end of SY2026
    t.mover = person(t.y, [("source_identified", src, {}, t.x),
                           ("unit_changed", D(2026, 10, 10), {"from_id": t.x.pk, "to_id": t.y.pk}, t.y)],
                     given_name="Chuyển")  # fmt: skip
    # a source date corrected from 01/03/2025 to 20/09/2026: not in the pool at the end of SY2025
    t.corrected = person(t.x, [("source_identified", src)], given_name="Sửa")
    original = t.corrected.events.get()
    PersonEvent.objects.create(person=t.corrected, kind="source_identified", occurred_on=D(2026, 9, 20),
                               org=t.x, corrects=original, data={})  # fmt: skip
    events = list(t.corrected.events.all())
    for name, value in actions.rebuild_state(t.corrected, ledger.load_calendar(), events).items():
        setattr(t.corrected, name, value)
    t.corrected.save()
    rollups.build([queries.window(k) for k in WINDOWS])
    user = get_user_model().objects.create_user(username="xem", password="x")
    RoleAssignment.objects.create(user=user, unit=t.city, role="viewer")
    t.user = user
    return t


def names(qs) -> set[str]:
    return {p.given_name for p in qs}


def test_the_pool_list_has_the_rollups_number_for_every_unit_and_window(city):
    expected = {
        ("SY2025", city.x): {"Nguồn", "Muộn", "Chuyển"},
        ("SY2025", city.y): set(),
        ("SY2026", city.x): {"Nguồn", "Mới", "Sửa"},
        ("SY2026", city.y): {"Chuyển"},
    }
    for (key, where), who in expected.items():
        row = Rollup.objects.get(window=key, unit=where)
        listed = queries.pool_persons(city.user, row)
        assert names(listed) == who, (key, where.name)
        assert row.pool_end == len(who), (key, where.name)
    for key in WINDOWS:
        for where in (city.city, city.school):
            row = Rollup.objects.get(window=key, unit=where)
            assert queries.pool_persons(city.user, row).count() == row.pool_end, (key, where.name)


def test_pool_holder_is_the_rule_of_the_rollup():
    rec = ind.PersonRec(1, 20, stage="SOURCE")
    moved = [ind.EventRec(1, "source_identified", D(2025, 3, 1), 10),
             ind.EventRec(2, "unit_changed", D(2026, 10, 10), 20, {"to_id": 20})]  # fmt: skip
    assert ind.pool_holder(rec, moved, D(2026, 8, 31)) == 10
    assert ind.pool_holder(rec, moved, D(2027, 8, 31)) == 20
    assert ind.pool_holder(rec, moved, D(2025, 2, 28)) is None  # not yet a source
    admitted = ind.PersonRec(1, 20, stage="ADMITTED", party_age_from=D(2026, 5, 4))
    assert ind.pool_holder(admitted, moved, D(2026, 8, 31)) is None
    assert ind.pool_holder(admitted, moved, D(2026, 5, 3)) == 10
    voided = [ind.EventRec(1, "source_identified", D(2025, 3, 1), 10),
              ind.EventRec(2, "source_identified", D(2025, 3, 1), 10, {"void": True}, corrects_id=1)]  # fmt: skip
    assert ind.pool_holder(ind.PersonRec(1, 10), voided, D(2026, 8, 31)) is None


def test_the_lagging_lists_pool_number_opens_a_list_of_that_many_persons(client, city):
    client.force_login(city.user)
    for key in WINDOWS:
        page = client.get(reverse("targets-lagging", args=[city.school.pk]) + f"?ky={key}").content.decode()
        links = re.findall(r'<a href="([^"]*luong=pool)" class="pool-link"[^>]*>(\d+)</a>', page)
        assert links, key  # the staff cell admitted nobody: it lags in both years
        assert reverse("targets-persons", args=[city.y.pk]) + f"?ky={key}&luong=pool" in {
            html_unescape(href) for href, _ in links
        }
        for href, shown in links:
            listing = client.get(html_unescape(href))
            assert listing.status_code == 200
            body = listing.content.decode()
            count = re.search(r'<h2 class="card-title">(\d+) người', body)
            assert count and count.group(1) == shown, (key, href)
        # never the unit's whole person list (it holds members and closed dossiers too)
        assert (
            f"{reverse('person-list')}?unit=" not in page.split('id="lagging-table"')[1].split("</table>")[0]
        )


def test_a_past_windows_list_says_the_day_it_counts(client, city):
    client.force_login(city.user)
    page = client.get(reverse("targets-persons", args=[city.x.pk]) + "?ky=SY2025&luong=pool").content.decode()
    assert "Người trong nguồn ngày 31/08/2026" in page
    assert "Nguyễn Văn Chuyển" in page and "Nguyễn Văn Rút" not in page


def html_unescape(text: str) -> str:
    return text.replace("&amp;", "&")


def test_weakness_rows_named_only_chi_bo_sinh_vien_carry_their_school(client, city):
    # a large pool, few admissions: W_POOL_GT_ADMISSIONS lists the student cell
    for i in range(5):
        person(city.x, [("source_identified", D(2025, 3, 1))], given_name=f"Thêm{i}")
    rollups.build([queries.window("SY2025")])
    client.force_login(city.user)
    page = client.get(reverse("targets-weakness", args=[city.city.pk, "W_POOL_GT_ADMISSIONS"]) + "?ky=SY2025")
    body = page.content.decode()
    assert page.status_code == 200
    assert ">Chi bộ Sinh viên — Trường Đại học Mẫu</a>" in body
    assert ">Chi bộ Sinh viên</a>" not in body
    pool = re.search(r'luong=pool" class="pool-link"[^>]*>(\d+)<', body)
    assert pool and int(pool.group(1)) == Rollup.objects.get(window="SY2025", unit=city.x).pool_end
    export = client.get(
        reverse("targets-weakness", args=[city.city.pk, "W_POOL_GT_ADMISSIONS"]) + "?ky=SY2025&export=xlsx"
    )
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(2, 1).value == "Chi bộ Sinh viên — Trường Đại học Mẫu"
    assert Person.objects.filter(unit=city.x).exists()
