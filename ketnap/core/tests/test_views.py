"""Home page, login and logout, the layout, template filters and the Excel helper."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ketnap.core.exports import content_disposition, xlsx_response
from ketnap.people.models import Person
from ketnap.people.templatetags import ketnap_tags
from ketnap.testing import make_person

D = datetime.date


@pytest.mark.django_db
def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/?next=/"


@pytest.mark.django_db
def test_login_page_is_vietnamese_with_field_ids_and_logs_in(client, tree):
    page = client.get(reverse("login")).content.decode()
    assert 'id="id_username"' in page and 'id="id_password"' in page and "Đăng nhập" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing loaded from another site (a CDN, fonts)
    response = client.post(reverse("login"), {"username": "cell_secretary", "password": "sai"})
    assert "không đúng" in response.content.decode()
    response = client.post(reverse("login"), {"username": "cell_secretary", "password": "matkhau-thu-nghiem"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.django_db
def test_layout_has_navigation_user_roles_and_a_post_logout(client, tree):
    client.force_login(tree.users["cell_secretary"])
    page = client.get(reverse("home")).content.decode()
    for label in ("Trang chủ", "Tổ chức", "Bảng tiến độ", "Danh sách", "Đăng xuất", "Bí thư chi bộ"):
        assert label in page
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert "/static/vendor/tabler/tabler.min.css" in page and "/static/vendor/htmx/htmx.min.js" in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_home_counts_stages_in_scope_and_lists_due_dates(client, tree):
    make_person(tree.cell_a)
    make_person(tree.cell_a, given_name="Bình")
    due = make_person(tree.cell_a, given_name="Hạn")
    make_person(tree.cell_b)  # another ward: never counted
    today = timezone.localdate()
    Person.objects.filter(pk=due.pk).update(stage="CELL_APPROVED", next_due=today - datetime.timedelta(days=2),
                                            next_due_rule="DECISION_DUE")  # fmt: skip
    client.force_login(tree.users["ward_a"])
    page = client.get(reverse("home")).content.decode()
    counts = dict(
        re.findall(r'list-group-item-action[^"]*" data-stage="(\w+)">.*?stage-count">(\d+)<', page, re.S)
    )
    assert counts["SOURCE"] == "2" and counts["CELL_APPROVED"] == "1" and counts["OFFICIAL"] == "0"
    due_card = page.split('id="due-soon"')[1]
    assert "Nguyễn Văn Hạn" in due_card and "Hạn quyết định kết nạp" in due_card
    assert (today - datetime.timedelta(days=2)).strftime("%d/%m/%Y") in due_card and "quá hạn" in due_card


def test_filters_format_dates_stages_and_rules():
    assert ketnap_tags.dmy(D(2026, 4, 2)) == "02/04/2026"
    assert ketnap_tags.dmy("2026-04-02") == "02/04/2026"
    assert ketnap_tags.dmy(None) == ""
    assert ketnap_tags.rule_name("DECISION_DUE") == "Hạn quyết định kết nạp"
    assert ketnap_tags.rule_name("UNKNOWN_RULE") == "Hạn theo quy định"  # never a bare rule id
    assert ketnap_tags.rule_name("") == ""
    badge = ketnap_tags.stage_badge("CELL_APPROVED")
    assert "Chi bộ đã xét" in badge and "bg-indigo-lt" in badge


def test_rule_titles_come_from_the_rule_book_only():
    from ketnap import rules

    assert not hasattr(ketnap_tags, "RULE_NAMES")
    for rule_id, rule in rules.RULES.items():
        assert rule.title and ketnap_tags.rule_name(rule_id) == rule.title


def test_xlsx_helper_writes_vietnamese_text_and_dates():
    response = xlsx_response("Danh sách đảng viên.xlsx", ["Họ và tên", "Ngày sinh", "Số"],
                             [["Nguyễn Văn Ân", D(2004, 3, 15), 3], ["Trần Thị Bình", None, 4]])  # fmt: skip
    assert response["Content-Disposition"] == (
        'attachment; filename="Danh-sach-dang-vien.xlsx"; '
        "filename*=UTF-8''Danh%20s%C3%A1ch%20%C4%91%E1%BA%A3ng%20vi%C3%AAn.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("Họ và tên", "Ngày sinh", "Số"), ("Nguyễn Văn Ân", datetime.datetime(2004, 3, 15), 3),
                    ("Trần Thị Bình", None, 4)]  # fmt: skip
    assert sheet["B2"].number_format == "dd/mm/yyyy"


def test_content_disposition_strips_header_breaking_characters():
    value = content_disposition('a"b\r\nc.xlsx')
    assert "\r" not in value and "\n" not in value and 'filename="abc.xlsx"' in value
