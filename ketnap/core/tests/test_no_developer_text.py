"""No developer text in the pages: the main pages of a seeded small demo city, rendered for a city admin,
show no rule ids, file names, seed references, package names, command lines or login names in their text or
in the attributes a reader sees (a `title=""` tooltip, a placeholder, an image's `alt`, an `aria-label`); a
`data-` attribute may carry a rule id for the scripts and the tests."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ketnap.interorg.models import Request
from ketnap.orgs.models import OrgUnit
from ketnap.people.models import Person
from ketnap.rules import indicators as ind
from ketnap.targets import conf

RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b")
COMMAND = re.compile(r"\bketnap [a-z][a-z_-]+")
DEVELOPER_TEXT = ("DOMAIN.md", "seed/000", "gói holidays", "chưa đối chiếu", "spec/check-dossier")


def visible_text(page: str, attributes: bool = True) -> str:
    """What a reader sees: the page without scripts, styles and tags, with the attributes shown to a reader."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    shown = re.findall(r'\s(?:title|placeholder|alt|aria-label)="([^"]*)"', page) if attributes else []
    page = re.sub(r"<[^>]*>", " ", page)
    return html.unescape(page + " " + " ".join(shown))


def developer_text(page: str, usernames=()) -> list[str]:
    text = visible_text(page)
    found = [s for s in DEVELOPER_TEXT if s in text]
    found += RULE_ID.findall(text)
    found += COMMAND.findall(text)
    found += [
        f"login name {u}" for u in usernames if re.search(rf"(?<![\w.@]){re.escape(u)}(?![\w.@])", text)
    ]
    return found


def test_the_checker_finds_what_it_must():
    assert developer_text("<p>Hạn DECISION_DUE đã qua</p>") == ["DECISION_DUE"]
    assert developer_text('<span title="DECISION_DUE">Hạn quyết định kết nạp</span>') == ["DECISION_DUE"]
    assert developer_text('<li data-rule="DECISION_DUE">Hạn quyết định kết nạp</li>') == []
    assert developer_text("<code>ketnap rebuild-rollups</code>") == ["ketnap rebuild-rollups"]
    assert developer_text("<p>Xem DOMAIN.md §5</p>") == ["DOMAIN.md"]
    assert developer_text("<td>khtn.capuy</td>", ["khtn.capuy"]) == ["login name khtn.capuy"]
    assert developer_text("<td>khtn.capuy@ketnap.example</td>", ["khtn.capuy"]) == []
    assert developer_text("<footer>Ketnap — quản lý</footer>") == []


@pytest.fixture
def demo(db):
    call_command("seed", "--size", "small", stdout=io.StringIO())  # the demo as of today, as the pages see it


def main_pages() -> list[str]:
    """The main pages of every app, with real objects of the demo city."""
    city = OrgUnit.objects.get(parent__isnull=True)
    grassroots = OrgUnit.objects.filter(kind=OrgUnit.Kind.GRASSROOTS).order_by("pk").first()
    ward = OrgUnit.objects.filter(kind=OrgUnit.Kind.WARD).order_by("pk").first()
    request = Request.objects.exclude(status="draft").order_by("pk").first()
    sy = ind.school_year(ind.school_year_of(timezone.localdate(), conf.school_year_start()),
                         conf.school_year_start()).key  # fmt: skip
    pages = [
        reverse("home"),
        reverse("calendar"),
        reverse("org-tree"),
        reverse("org-detail", args=[grassroots.pk]),
        reverse("person-list"),
        reverse("person-list") + "?due=due30&sort=next_due",
        reverse("pipeline"),
        reverse("inbox"),
        reverse("inbox") + "?qua-han=1",
        reverse("escalation"),
        reverse("request-list"),
        reverse("request-detail", args=[request.pk]),
        reverse("graduation") + f"?unit={grassroots.pk}&trong=365",
        reverse("ward-letters") + f"?phuong={ward.pk}",
        reverse("quarterly"),
        reverse("mentors"),
        reverse("reminder-runs"),
        reverse("targets-dashboard", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-lagging", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-weaknesses", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-pipeline", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-assign", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-no-source", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-review", args=[city.pk]) + f"?ky={sy}",
        reverse("targets-persons", args=[city.pk]) + f"?ky={sy}&luong=pool",
    ]
    pages += [reverse("targets-indicator", args=[city.pk, code]) + f"?ky={sy}" for code in ind.ALL_INDICATORS]
    pages += [reverse("targets-weakness", args=[city.pk, code]) + f"?ky={sy}" for code in ind.WEAKNESSES]
    return pages


def test_main_pages_show_no_developer_text_to_a_city_admin(demo, client):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    client.force_login(users.get(username="thanhuy.admin"))
    usernames = list(users.values_list("username", flat=True))
    problems = {}
    for url in main_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        found = developer_text(response.content.decode(), usernames)
        if found:
            problems[url] = sorted(set(found))
    assert problems == {}


def test_the_person_page_shows_no_developer_text(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="thanhuy.admin"))
    problems = {}
    for stage in ("APPLICANT", "CELL_APPROVED", "PROBATIONARY", "OFFICIAL"):
        person = Person.objects.filter(stage=stage).order_by("pk").first()
        found = developer_text(client.get(reverse("person-detail", args=[person.pk])).content.decode())
        if found:
            problems[stage] = sorted(set(found))
    assert problems == {}


def test_users_are_named_never_by_their_login_name(client, tree):
    from ketnap.people.templatetags.ketnap_tags import user_name

    admin = tree.users["city_admin"]
    assert user_name(admin) == "Người dùng chưa ghi họ tên"
    admin.last_name, admin.first_name = "Trần Thị", "Bình"
    admin.save()
    assert user_name(admin) == "Trần Thị Bình"
    client.force_login(tree.users["cell_clerk"])
    page = client.get(reverse("home")).content.decode()
    assert "cell_clerk" not in visible_text(page) and "Người dùng chưa ghi họ tên" in page
    # the menu names the unit of each role, not its code
    assert (
        "Cán bộ nghiệp vụ — Chi bộ Sinh viên Khoa Công nghệ thông tin" in page
        and "Cán bộ nghiệp vụ · Chi bộ" in page
    )
    assert "KHTN-SV-CNTT" not in visible_text(page)


def test_the_reminder_digest_greets_by_name_or_neutrally(tree):
    from ketnap.interorg import reminders

    user = tree.users["ward_a"]
    _, body = reminders.compose(user, datetime.date(2026, 3, 2), [], [])
    assert body.startswith("Kính gửi đồng chí,") and "ward_a" not in body
    user.last_name, user.first_name = "Lê Văn", "Cường"
    _, body = reminders.compose(user, datetime.date(2026, 3, 2), [], [])
    assert body.startswith("Kính gửi đồng chí Lê Văn Cường,")


def test_calendar_and_reminder_pages_name_no_package_or_command(client, tree):
    client.force_login(tree.users["city_admin"])
    calendar = client.get(reverse("calendar")).content.decode()
    assert "holidays</code>" not in calendar and "gói" not in visible_text(calendar)
    assert "Bộ luật Lao động 2019, Điều 112" in calendar
    runs = client.get(reverse("reminder-runs"))
    assert runs.status_code == 200
    body = runs.content.decode()
    assert "ketnap sweep-deadlines" not in body and "<code>" not in body
    assert "Lượt nhắc tự chạy mỗi sáng" in visible_text(body).replace("\n ", "").replace("  ", " ")


def test_the_organisation_tree_names_units_and_keeps_codes_in_tooltips(client, tree):
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("org-tree")).content.decode()
    # the code is there for an administrator (imports name units by code), labelled "Mã:", on hover only
    assert tree.cell_student.name in page and 'title="Mã: KHTN-SV-CNTT"' in page
    assert "KHTN-SV-CNTT" not in visible_text(page, attributes=False)
