"""Dashboard pages: scope answers 404, roles 403; every number opens a list; every table exports to Excel;
targets cascade with audit; "no source left" records change the K-12 numbers."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ketnap.core.models import AuditLog
from ketnap.rules import indicators as ind
from ketnap.targets import actions, conf, queries
from ketnap.targets.models import NoSourceRecord, Target
from ketnap.targets.tests.builders import admitted

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def city(tree):
    """The shared test tree with a few admissions in the current school year."""
    today = datetime.date.today()
    w = conf.current_school_year(today)
    day = max(w.start, min(today, w.start + datetime.timedelta(days=30)))
    admitted(tree.cell_a, day)  # K-12 grassroots cell of ward A: a teacher
    admitted(tree.cell_student, day, role="student", excellent=True)
    tree.window = w
    return tree


def login(client, tree, name):
    client.force_login(tree.users[name])
    return client


def text(response) -> str:
    return response.content.decode()


def url(name, *args, **query):
    out = reverse(name, args=args)
    if query:
        out += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return out


def test_anonymous_users_go_to_the_login_page(client, city):
    response = client.get(url("targets-dashboard", city.city.pk))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_root_address_opens_the_users_highest_unit(client, city):
    login(client, city, "ward_a")
    response = client.get(url("targets-root"))
    assert response.status_code == 302 and response["Location"] == url("targets-dashboard", city.ward_a.pk)


def test_a_city_user_sees_the_city_dashboard_with_children_and_charts(client, city):
    login(client, city, "city_viewer")
    response = client.get(url("targets-dashboard", city.city.pk))
    assert response.status_code == 200
    body = text(response)
    for spec in ind.INDICATORS.values():
        assert f'data-indicator="{spec.id}"' in body
    assert "Xu hướng 5 năm học" in body and 'id="trend-table"' in body
    assert 'id="children-table"' in body and city.ward_a.name in body
    assert 'id="targets-charts"' in body and "vendor/chartjs/chart.umd.min.js" in body
    assert not re.search(r'(src|href)="(https?:)?//', body)  # nothing loaded from another site (a CDN)
    assert 'id="lagging-table"' in body and 'id="funnel-table"' in body and 'id="projection-table"' in body


def test_out_of_scope_units_answer_404(client, city):
    login(client, city, "ward_a")
    assert client.get(url("targets-dashboard", city.ward_b.pk)).status_code == 404
    assert client.get(url("targets-dashboard", city.city.pk)).status_code == 404
    assert client.get(url("targets-review", city.uni.pk)).status_code == 404
    assert client.get(url("targets-dashboard", city.cell_a.pk)).status_code == 200


def test_a_bad_window_answers_404(client, city):
    login(client, city, "city_viewer")
    assert client.get(url("targets-dashboard", city.city.pk, ky="XX12")).status_code == 404
    assert client.get(url("targets-dashboard", city.city.pk, ky="SY1990")).status_code == 404


def test_a_cell_dashboard_links_to_its_candidates(client, city):
    login(client, city, "ward_a")
    body = text(client.get(url("targets-dashboard", city.cell_a.pk)))
    assert f'href="{reverse("person-list")}?unit={city.cell_a.pk}"' in body


@pytest.mark.parametrize("table", ["chi-so", "xu-huong", "cap-duoi", "cham", "pheu", "du-bao"])
def test_every_dashboard_table_exports_to_excel(client, city, table):
    login(client, city, "city_viewer")
    response = client.get(url("targets-dashboard", city.city.pk, export="xlsx", bang=table))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 2


def test_the_indicator_page_lists_the_cells_behind_the_number(client, city):
    login(client, city, "city_viewer")
    body = text(client.get(url("targets-indicator", city.city.pk, "K12_CELL_TWO")))
    assert "K12_CELL_TWO" in body and city.cell_a.name in body and city.cell_b.name in body
    response = client.get(url("targets-indicator", city.city.pk, "K12_CELL_TWO", export="xlsx"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "Chi bộ" and {r[0] for r in rows[1:]} == {city.cell_a.name, city.cell_b.name}


def test_the_schools_behind_k12_schools_with_org(client, city):
    login(client, city, "city_viewer")
    body = text(client.get(url("targets-indicator", city.city.pk, "K12_SCHOOLS_WITH_ORG")))
    assert "Trường THPT Trưng Vương" in body and "Trường THCS Minh Đức" in body


def test_the_persons_behind_admissions(client, city):
    login(client, city, "city_viewer")
    body = text(client.get(url("targets-indicator", city.city.pk, "HE_ADMISSIONS")))
    assert "luong=admitted&amp;dh=1" in body or "luong=admitted&dh=1" in body
    response = client.get(url("targets-persons", city.city.pk, luong="admitted", dh="1", ky=city.window.key))
    body = text(response)
    assert response.status_code == 200 and "1 người" in body and "ĐVƯT" in body
    everyone = text(client.get(url("targets-persons", city.city.pk, luong="admitted", ky=city.window.key)))
    assert "2 người" in everyone
    export = client.get(
        url("targets-persons", city.city.pk, luong="admitted", ky=city.window.key, export="xlsx")
    )
    assert len(list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)) == 3


def test_lists_behind_numbers_stay_in_scope(client, city):
    login(client, city, "ward_a")
    body = text(client.get(url("targets-persons", city.ward_a.pk, luong="admitted", ky=city.window.key)))
    assert "1 người" in body


@pytest.mark.parametrize("code", list(ind.WEAKNESSES))
def test_every_weakness_list_opens_and_exports(client, city, code):
    login(client, city, "city_viewer")
    assert client.get(url("targets-weakness", city.city.pk, code)).status_code == 200
    assert client.get(url("targets-weakness", city.city.pk, code, export="xlsx")).status_code == 200


def test_the_pipeline_page_and_the_lagging_list(client, city):
    login(client, city, "city_viewer")
    body = text(client.get(url("targets-pipeline", city.city.pk)))
    assert "Trung vị" in body or "trung vị" in body
    lagging = text(client.get(url("targets-lagging", city.city.pk)))
    assert city.cell_b.name in lagging  # a K-12 cell with no admission
    assert client.get(url("targets-lagging", city.city.pk, export="xlsx")).status_code == 200


def test_the_annual_review_prints(client, city):
    login(client, city, "city_viewer")
    body = text(client.get(url("targets-review", city.city.pk)))
    assert "BÁO CÁO" in body and "data-print" in body and "ĐẢNG CỘNG SẢN VIỆT NAM" in body


# ---------------------------------------------------------------------------------------------- targets


def test_a_ward_committee_sets_its_cells_targets_with_audit(client, city):
    login(client, city, "ward_a")
    key = city.window.key
    page = client.get(url("targets-assign", city.ward_a.pk, **{"chi-so": "K12_CELL_TWO", "ky": key}))
    assert page.status_code == 200 and f'name="t-{city.cell_a.pk}"' in text(page)
    response = client.post(url("targets-assign", city.ward_a.pk, ky=key),
                           {"indicator": "K12_CELL_TWO", f"t-{city.cell_a.pk}": "80", "note": "Văn bản 12-CV"})  # fmt: skip
    assert response.status_code == 302
    target = Target.objects.get(unit=city.cell_a, indicator="K12_CELL_TWO", window=key)
    assert target.value == 0.8 and target.set_by == city.users["ward_a"]
    row = AuditLog.objects.filter(action="target.set").latest("id")
    assert row.before == {"value": None} and row.after["value"] == 0.8
    # the cell's dashboard shows the target it was given
    card = queries.card_for(ind.INDICATORS["K12_CELL_TWO"], city.window, queries.row_at(city.cell_a.pk, key),
                            queries._explicit_targets([city.city.pk, city.ward_a.pk, city.cell_a.pk], [key]),
                            datetime.date.today(), conf.params())  # fmt: skip
    assert card.target.value == 0.8 and card.target.unit_id == city.cell_a.pk


def test_a_viewer_may_not_set_targets(client, city):
    login(client, city, "ward_a_viewer")
    response = client.post(url("targets-assign", city.ward_a.pk),
                           {"indicator": "K12_CELL_TWO", f"t-{city.cell_a.pk}": "80"})  # fmt: skip
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_a_ward_may_not_set_its_own_target_only_its_parent_may(city):
    with pytest.raises(Exception) as exc:
        actions.set_target(acting_user=city.users["ward_a"], unit=city.ward_a, indicator="K12_CELL_TWO",
                           window=city.window.key, value=0.5)  # fmt: skip
    assert exc.type.__name__ == "PermissionDenied"
    actions.set_target(acting_user=city.users["city_admin"], unit=city.ward_a, indicator="K12_CELL_TWO",
                       window=city.window.key, value=0.5)  # fmt: skip


def test_share_targets_cascade_and_count_targets_do_not(city):
    key = city.window.key
    admin = city.users["city_admin"]
    actions.set_target(acting_user=admin, unit=city.city, indicator="K12_CELL_TWO", window=key, value=0.9)
    actions.set_target(acting_user=admin, unit=city.city, indicator="HE_ADMISSIONS", window=key, value=1200)
    explicit = queries._explicit_targets([city.city.pk, city.ward_a.pk, city.cell_a.pk, city.upper.pk], [key])
    cell_row, upper_row = queries.row_at(city.cell_a.pk, key), queries.row_at(city.upper.pk, key)
    assert queries.resolve_target(ind.INDICATORS["K12_CELL_TWO"], cell_row, key, explicit).value == 0.9
    assert queries.resolve_target(ind.INDICATORS["HE_ADMISSIONS"], upper_row, key, explicit).value is None
    root_row = queries.row_at(city.city.pk, key)
    assert queries.resolve_target(ind.INDICATORS["HE_ADMISSIONS"], root_row, key, explicit).value == 1200
    # cascade: the upper committee's count target set by the city
    n = actions.cascade_targets(acting_user=admin, parent=city.city, indicator="HE_ADMISSIONS", window=key,
                                values={city.upper.pk: 800, city.ward_a.pk: None})  # fmt: skip
    assert n == 1 and Target.objects.get(unit=city.upper, indicator="HE_ADMISSIONS").value == 800


def test_targets_are_validated(city):
    admin, key = city.users["city_admin"], city.window.key
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.set_target(acting_user=admin, unit=city.city, indicator="K12_CELL_TWO", window=key, value=1.5)
    with pytest.raises(ValidationError):
        actions.set_target(
            acting_user=admin, unit=city.city, indicator="HE_ADMISSIONS", window=key, value=10.5
        )
    with pytest.raises(ValidationError):  # a calendar-year indicator in a school-year window
        actions.set_target(acting_user=admin, unit=city.city, indicator="ADMISSIONS_PER_MEMBERS", window=key,
                           value=0.03)  # fmt: skip


# ---------------------------------------------------------------------------------------------- no source left


def test_a_ward_records_no_source_left_and_the_cell_leaves_the_population(client, city):
    key = city.window.key
    login(client, city, "ward_b")
    before = queries.totals_at(city.city.pk, key)["k12_cells"]
    response = client.post(url("targets-no-source", city.ward_b.pk, ky=key),
                           {"cell": city.cell_b.pk, "reason": "Trường chỉ còn 3 giáo viên, đều là đảng viên"})  # fmt: skip
    assert response.status_code == 302
    record = NoSourceRecord.objects.get(unit=city.cell_b, window=key)
    assert queries.totals_at(city.city.pk, key)["k12_cells"] == before - 1
    assert AuditLog.objects.filter(action="target.no_source").exists()
    body = text(client.get(url("targets-no-source", city.ward_b.pk, ky=key)))
    assert "đều là đảng viên" in body
    # lifted again (with a reason)
    response = client.post(
        url("targets-no-source-withdraw", city.ward_b.pk, record.pk), {"reason": "Có nguồn mới"}
    )
    assert response.status_code == 302 and not NoSourceRecord.objects.exists()
    assert queries.totals_at(city.city.pk, key)["k12_cells"] == before


def test_a_cell_secretary_may_not_record_no_source(client, city):
    login(client, city, "secretary_a")
    response = client.post(url("targets-no-source", city.cell_a.pk), {"cell": city.cell_a.pk, "reason": "x"})
    assert response.status_code == 403


def test_no_source_needs_a_reason_and_a_cell(city):
    from django.core.exceptions import ValidationError

    admin, key = city.users["city_admin"], city.window.key
    with pytest.raises(ValidationError):
        actions.record_no_source(
            acting_user=admin, unit=city.cell_a, window=key, reason=" ", recorded_on=D(2026, 1, 5)
        )
    with pytest.raises(ValidationError):
        actions.record_no_source(
            acting_user=admin, unit=city.ward_a, window=key, reason="x", recorded_on=D(2026, 1, 5)
        )
