"""The permission matrix (issue 8, point 9): every URL pattern of the project, from the table in routes.py, asked
by anonymous (→ the login page), by a user out of scope (→ 404), by a user without the role (→ 403) and by an
allowed user (→ 200, or the redirect of a successful write), on GET and, for writing views, on POST. A URL
pattern missing from the table fails; so does a table row naming a URL that no longer exists.

Every POST runs inside a savepoint rolled back after it: each answer is asked of the same world."""

import pytest
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse

from ketnap.core.tests.routes import ROUTES, Route, url_names
from ketnap.core.tests.world import form_data as rendered_data
from ketnap.core.tests.world import page_forms, rolled_back, world_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_fixture(django_db_blocker) as w:
        yield w


def test_every_url_pattern_is_in_the_table_and_every_row_is_a_url():
    names = url_names()
    missing = [n for n in names if n not in ROUTES]
    assert not missing, f"URL chưa có trong bảng quyền (ketnap/core/tests/routes.py): {missing}"
    assert not [n for n in ROUTES if n not in names]
    assert len(names) == len(set(names)), "hai URL cùng tên"


def _url(w, name: str, route: Route) -> str:
    url = reverse(name, args=route.args(w))
    query = route.query(w)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query, doseq=True)
    return url


def _client(w, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(w.users[username])
    return client


def _post(client: Client, url: str, data: dict):
    with rolled_back():
        return client.post(url, data)


def _valid_data(w, name: str, route: Route, url: str) -> dict:
    data = route.post(w)
    if not route.from_page:
        return data
    page = _client(w, route.do).get(url)
    assert page.status_code == 200, (name, "the form's page", page.status_code)
    path = url.split("?")[0]
    forms = [
        f
        for f in page_forms(page.content.decode())
        if f["method"] == "post" and f["action"] in ("", path, url)
    ]
    assert forms, (name, "no form posting to the page")
    return rendered_data(forms[0], **data)


def _users(value) -> tuple:
    return () if value is None else (value,) if isinstance(value, str) else tuple(value)


def _is_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


@pytest.mark.parametrize("name", url_names())
def test_the_permission_matrix(world, name):
    assert name in ROUTES, f"{name}: URL chưa có trong bảng quyền (routes.py)"
    w, route = world, ROUTES[name]
    url = _url(w, name, route)
    wrong = []

    def check(who: str, method: str, response, expected) -> None:
        ok = expected(response) if callable(expected) else response.status_code == expected
        if not ok:
            wrong.append(f"{method} {url} as {who}: {response.status_code} (expected {getattr(expected, '__name__', expected)})")  # fmt: skip

    # anonymous
    anonymous = Client()
    check("anonymous", "GET", anonymous.get(url), route.get if route.public else _is_login)
    if route.post is not None:
        check("anonymous", "POST", _post(anonymous, url, {}), _is_login)
    if route.public:
        assert not wrong, "\n".join(wrong)
        return
    # allowed to see
    check(route.see, "GET", _client(w, route.see).get(url), route.get)
    # out of scope: 404 (a POST-only view answers 405 to a GET before anything else)
    for who in _users(route.out):
        client = _client(w, who)
        check(who, "GET", client.get(url), 405 if route.get == 405 else 404)
        if route.post is not None:
            check(who, "POST", _post(client, url, route.post(w)), 404)
    # missing role: 403 (on GET when the page is itself a writing form)
    for who in _users(route.lacks):
        client = _client(w, who)
        check(who, "GET", client.get(url), 403 if route.get_role else route.get)
        if route.post is not None:
            check(who, "POST", _post(client, url, route.post(w)), 403)
            check(who, "POST (empty)", _post(client, url, {}), 403)
    # allowed to write: valid data is accepted
    if route.post is not None:
        data = _valid_data(w, name, route, url)
        response = _post(_client(w, route.do), url, data)
        body = response.content.decode(errors="replace")
        errors = [
            line.strip() for line in body.splitlines() if "invalid-feedback" in line or "alert-danger" in line
        ]
        # a redirect may carry a refusal as a message: a write that succeeded leaves no error message
        errors += [m.message for m in get_messages(response.wsgi_request) if m.level >= constants.ERROR]
        if response.status_code != route.posted or errors:
            wrong.append(
                f"POST {url} as {route.do}: {response.status_code} (expected {route.posted}) {errors[:3]}"
            )
    assert not wrong, "\n".join(wrong)
