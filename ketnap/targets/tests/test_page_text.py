"""The target pages speak to a committee clerk: where a target comes from is named as the text that sets it
(the directive of the City's Standing Committee, or the City's letter of 04/11/2025 for the 3% indicator), and
no developer text (ids, commands, file names) is shown."""

import datetime

import pytest
from django.urls import reverse

from ketnap.rules import indicators as ind
from ketnap.targets import conf, queries
from ketnap.targets.tests.builders import admitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tree):
    today = datetime.date.today()
    w = conf.current_school_year(today)
    admitted(tree.cell_a, max(w.start, min(today, w.start + datetime.timedelta(days=30))))
    tree.window = w
    return tree


def test_each_indicator_names_the_text_its_default_target_comes_from():
    three = ind.INDICATORS["ADMISSIONS_PER_MEMBERS"]
    assert three.source.startswith("Văn bản của Thành ủy ngày 04/11/2025")
    assert three.default_label == "Mặc định theo văn bản của Thành ủy ngày 04/11/2025"
    assert "Chỉ thị" not in three.default_label and "Chỉ thị" not in three.source
    for spec in ind.INDICATORS.values():
        assert "seed/" not in spec.source and "DOMAIN" not in spec.source
        if spec.id != three.id:
            assert spec.source.startswith("Chỉ thị của Ban Thường vụ Thành ủy")
            assert spec.default_label == "Mặc định theo Chỉ thị"


def test_the_3_percent_card_does_not_call_its_target_the_directives_default(client, city):
    client.force_login(city.users["city_viewer"])
    cy = conf.calendar_for(city.window, datetime.date.today())
    page = client.get(
        reverse("targets-indicator", args=[city.city.pk, "ADMISSIONS_PER_MEMBERS"]) + f"?ky={cy.key}"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Mặc định theo văn bản của Thành ủy ngày 04/11/2025" in body
    assert "Văn bản của Thành ủy ngày 04/11/2025" in body
    assert "Mặc định theo Chỉ thị" not in body and "DOMAIN.md" not in body
    assert "ADMISSIONS_PER_MEMBERS" not in body.replace(
        'data-indicator="ADMISSIONS_PER_MEMBERS"', ""
    ).replace("/ADMISSIONS_PER_MEMBERS/", "")
    directive = client.get(
        reverse("targets-indicator", args=[city.city.pk, "K12_CELL_TWO"]) + f"?ky={city.window.key}"
    )
    body = directive.content.decode()
    assert "Chỉ thị của Ban Thường vụ Thành ủy về tăng cường lãnh đạo công tác kết nạp đảng viên" in body
    assert "seed/000" not in body and "Mặc định theo Chỉ thị" in body


def test_the_target_source_of_a_default_follows_the_indicator():
    three = ind.INDICATORS["ADMISSIONS_PER_MEMBERS"]
    assert queries.TargetValue(0.03, default_label=three.default_label).source == three.default_label
    assert queries.TargetValue(0.05, 7, "Đảng ủy Trường A").source == "Đảng ủy Trường A"
    assert queries.TargetValue(None).source == "Chưa giao"


def test_the_dashboard_asks_an_administrator_without_a_command_line(client, city, monkeypatch):
    monkeypatch.setattr(queries.rollups, "stale_stamp", lambda key: True)
    client.force_login(city.users["city_viewer"])
    body = client.get(
        reverse("targets-dashboard", args=[city.city.pk]) + f"?ky={city.window.key}"
    ).content.decode()
    assert "Đề nghị quản trị hệ thống cho tính lại số liệu chỉ tiêu" in body
    assert "ketnap rebuild-rollups" not in body and "<code>" not in body
    assert "Chỉ tiêu của Thành ủy" in body and "Chỉ tiêu của Chỉ thị" not in body


def test_exports_are_named_by_what_they_list_and_the_units_name(client, city):
    from urllib.parse import unquote

    client.force_login(city.users["city_viewer"])
    base = reverse("targets-weakness", args=[city.city.pk, "W_MERGED_CELLS"])
    response = client.get(base + f"?ky={city.window.key}&export=xlsx")
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("Chi bộ sinh hoạt ghép - Thành ủy Thành phố Hồ Chí Minh - ")
    assert "W_MERGED_CELLS" not in name and " TU " not in name
    response = client.get(
        reverse("targets-indicator", args=[city.city.pk, "K12_CELL_TWO"])
        + f"?ky={city.window.key}&export=xlsx"
    )
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith(ind.INDICATORS["K12_CELL_TWO"].name) and "K12_CELL_TWO" not in name


@pytest.mark.parametrize("table", ["chi-so", "xu-huong"])
def test_indicator_exports_name_indicators_without_their_ids(client, city, table):
    import io
    import re

    import openpyxl

    client.force_login(city.users["city_viewer"])
    response = client.get(
        reverse("targets-dashboard", args=[city.city.pk]) + f"?ky={city.window.key}&export=xlsx&bang={table}"
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    cells = [str(v) for row in rows for v in row if v is not None]
    assert ind.INDICATORS["K12_CELL_TWO"].name in cells
    assert not [v for v in cells if re.fullmatch(r"[A-Z][A-Z0-9]+_[A-Z0-9_]+", v)]
    if table == "chi-so":
        three = next(row for row in rows if row[0] == ind.INDICATORS["ADMISSIONS_PER_MEMBERS"].name)
        assert "Mặc định theo văn bản của Thành ủy ngày 04/11/2025" in three
