"""No server error on any input (issue 8, point 7): a corpus of bad values sent to every list parameter and every
form field of every URL pattern of the project; every answer is below 500 and shows no traceback.

What is covered, for each URL of the table in routes.py (a URL missing from the table fails test_url_matrix.py),
in the world of world.py, as the user of the table who may write there (else who may see it):

- **list parameters**: the common ones (page, trang, per_page, q, sort, unit, export), those the table names for
  the page, and those the page itself shows (the fields of its GET forms, the query keys of its links back to
  itself). Each parameter alone with a sample of the values (every other one as the page's HTMX partial
  request); then, for every value, all the parameters at once (again with export=xlsx where the view exports),
  leaving out those that name what the page is about (its address's own, and those to which "abc" answers
  404) since they would answer 404 before the others are read. A page that is a file (PDF, Word, Excel): a
  sample only;
- **form fields**: every POST form the page renders (fields parsed from the HTML: inputs, selects, textareas,
  files; the logout form excepted) and the table's own POST data for the URL; each field set in turn to a sample
  of the values, the others as the page rendered them (a file field gets the value as the content of a .csv or
  .xlsx file; an HTMX form is sent as HTMX sends it every other time). The person page is fuzzed at every stage
  of the path, and a few more pages whose forms post elsewhere (a request as each side and as a draft, the
  mentors, an import job as its owner, a user's page, …: EXTRA_PAGES).

Every request runs in a savepoint rolled back after it, so each starts from the same world; a request that
lost the session (sent to the login page) fails the test, so nothing is skipped silently.

The sample is deterministic (a value index from the CRC of the URL, form and field): 3 values per parameter or
field, about 4,900 requests. ``KETNAP_BAD_INPUT=all`` sends every value to every parameter and field (about
8 minutes). Run it on PostgreSQL too (``DATABASE_URL``): it refuses what SQLite stores (NUL in text)."""

from __future__ import annotations

import inspect
import os
import unicodedata
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from ketnap.core.tests.routes import ROUTES, url_names
from ketnap.core.tests.world import STAGES, form_data, hx_targets, page_forms, rolled_back, world_fixture

pytestmark = pytest.mark.django_db

CORPUS = [
    "",
    "   ",
    "9" * 25,  # a number no column holds
    "nguyễn văn " * 500,  # 5,500 characters
    "-1",
    "0",
    "abc",
    "1.5",
    "nan",
    "inf",
    "1e309",
    "31/12/9999",
    "01/01/0001",
    "9999-12-31",
    "31/02/2026",
    unicodedata.normalize("NFD", "Nguyễn Thị Ánh Hồng"),
    "a\x00b",
    "<script>alert(1)</script>'\"",
]
SAMPLE = len(CORPUS) if os.environ.get("KETNAP_BAD_INPUT") == "all" else 3
COMMON_PARAMS = ("page", "trang", "per_page", "q", "sort", "unit", "export")
SKIP_FIELDS = {"csrfmiddlewaretoken"}
SKIP_ACTIONS = {"logout", "logout-everywhere"}  # posting them would end the session of the test


def sample(key: str) -> list[str]:
    """``SAMPLE`` values of the corpus for ``key``, deterministically spread over the corpus."""
    start = zlib.crc32(key.encode())
    step = max(1, len(CORPUS) // SAMPLE)
    return [CORPUS[(start + i * step) % len(CORPUS)] for i in range(SAMPLE)]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_fixture(django_db_blocker) as w:
        yield w


class Probe:
    """Sends requests as one user and records every answer of 500 or more (or showing a traceback)."""

    def __init__(self, w, username: str | None):
        self.w, self.username = w, username
        self.client = Client()
        self.failures: list[str] = []
        self.count = 0
        self.login()

    def login(self):
        if self.username:
            self.client.force_login(self.w.users[self.username])

    def send(self, method: str, url: str, data=None, what: str = "", hx_target: str | None = None):
        """One request; with ``hx_target``, as HTMX sends it (the partial answer replacing that element)."""
        self.count += 1
        headers = {"HX-Request": "true", "HX-Target": hx_target} if hx_target is not None else {}
        if headers:
            what += f" [htmx → #{hx_target}]"
        try:
            with rolled_back():
                if method == "GET":
                    response = self.client.get(url, data or {}, headers=headers)
                else:
                    response = self.client.post(url, data or {}, headers=headers)
        except Exception as exc:  # the test client re-raises a view's exception: a 500 in production
            self.failures.append(f"{method} {url} {what}: {type(exc).__name__}: {str(exc)[:200]}")
            self.login()
            return None
        if method == "POST":
            self.login()  # a POST may have changed the session (password change, …): rolled back, log in again
        if response.status_code >= 500 or b"Traceback" in response.content:
            self.failures.append(f"{method} {url} {what}: {response.status_code}")
        if self.username and response.get("Location", "").startswith(
            "/dang-nhap/"
        ):  # the test lost its session
            self.failures.append(f"{method} {url} {what}: sent to the login page (not tested)")
        return response


def _split(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def _links_back(html: str, path: str) -> set[str]:
    """Query keys of the page's links to itself (pagination, sorting, filters)."""
    from html.parser import HTMLParser

    keys: set[str] = set()

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") or ""
            if tag == "a" and "?" in href and (href.startswith("?") or urlsplit(href).path == path):
                keys.update(k for k, _ in parse_qsl(urlsplit(href).query, keep_blank_values=True))

    Links().feed(html)
    return keys


def _exports(name: str) -> bool:
    """Does the view's module offer an Excel export (``?export=xlsx``)?"""
    from django.urls import URLResolver, get_resolver

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            else:
                yield p

    callback = next(p.callback for p in walk(get_resolver().url_patterns) if p.name == name)
    module = inspect.getmodule(callback)
    return module is not None and "export" in inspect.getsource(module)


def fuzz_get(
    probe: Probe, url: str, params: set[str], export: bool, values=CORPUS, hx: str | None = None
) -> None:
    """Each parameter alone, sampled (every other value as the page's HTMX partial request, ``hx`` the element it
    replaces), then every value in all the parameters at once, except those that name what the page is about
    (its address's own, and those to which "abc" answers 404): they would answer 404 before the others are
    read."""
    path, base = _split(url)
    gates = set(base)
    for param in sorted(params - gates):
        response = probe.send("GET", path, {**base, param: "abc"}, f"({param}='abc')")
        if response is not None and response.status_code == 404:
            gates.add(param)
    for param in sorted(params):
        for i, value in enumerate(sample(f"{path}?{param}")):
            target = hx if i % 2 else None
            probe.send("GET", path, {**base, param: value}, f"({param}={value[:20]!r})", hx_target=target)
    many = params - gates
    for value in values:
        probe.send("GET", path, {**base, **dict.fromkeys(many, value)}, f"(all parameters = {value[:20]!r})")
        if export:
            data = {**base, **dict.fromkeys(many, value), "export": "xlsx"}
            probe.send("GET", path, data, f"(export, all parameters = {value[:20]!r})")


def fuzz_form(probe: Probe, url: str, fields: list[str], files: list[str], baseline: dict, seen: set,
              hx: str | None = None) -> None:  # fmt: skip
    """Each field of a form set in turn to sampled bad values, the others as rendered (an HTMX form: every other
    value sent as HTMX sends it, ``hx`` the element the answer replaces)."""
    key = (urlsplit(url).path, tuple(sorted(fields)))
    if key in seen:
        return
    seen.add(key)
    probe.send("POST", url, baseline, "(as rendered)")
    for name in fields:
        if name in SKIP_FIELDS:
            continue
        for i, value in enumerate(sample(f"{key}:{name}")):
            data = dict(baseline)
            if name in files:
                from ketnap.core.tests.routes import upload

                data[name] = upload(value.encode("utf-8", "surrogatepass"), "ds.csv" if i % 2 else "ds.xlsx")
            else:
                data[name] = value
            probe.send("POST", url, data, f"({name}={value[:20]!r})", hx_target=hx if i % 2 else None)


def fuzz_page(probe: Probe, url: str, html: str, seen: set, *, get_params=()) -> set[str]:
    """Fuzz every POST form of a rendered page; return the names of its GET form fields."""
    path, _ = _split(url)
    names = set(get_params)
    for form in page_forms(html):
        action = form["action"] or url
        if form["method"] != "post":
            if urlsplit(action).path in ("", path):
                names.update(form["names"])
            continue
        try:
            match = resolve(urlsplit(action).path)
        except Resolver404:
            continue
        if match.url_name in SKIP_ACTIONS:
            continue
        fuzz_form(probe, action, form["names"], form["files"], form_data(form), seen, hx=form["hx_target"])
    return names


def _user(route) -> str | None:
    return route.do or route.see


@pytest.mark.parametrize("name", url_names())
def test_bad_values_in_every_parameter_and_field_never_give_a_server_error(world, name):
    route = ROUTES.get(name)
    assert route is not None, f"{name}: URL chưa có trong bảng (routes.py)"
    w = world
    url = reverse(name, args=route.args(w))
    if route.query(w):
        url += "?" + urlencode(route.query(w), doseq=True)
    probe = Probe(w, None if route.public else _user(route))
    seen: set = set()
    if route.get != 405:
        page = probe.send("GET", url)
        assert page is not None and page.status_code < 400, (url, getattr(page, "status_code", None))
        html = (
            page.content.decode(errors="replace")
            if page.get("Content-Type", "").startswith("text/html")
            else ""
        )
        params = set(COMMON_PARAMS) | set(route.params) | set(route.query(w))
        if html:
            params |= fuzz_page(probe, url, html, seen) | _links_back(html, _split(url)[0])
            fuzz_get(probe, url, params, export=_exports(name), hx=hx_targets(html).get(_split(url)[0]))
        else:  # a file (PDF, Word, Excel): slow to make, and it has no forms: a sample of the values
            fuzz_get(probe, url, set(route.params) | set(route.query(w)) | {"page"}, False, sample(url))
    if route.post is not None and route.do:
        data = route.post(w)
        fields = [k for k in data if k not in SKIP_FIELDS]
        files = [k for k, v in data.items() if hasattr(v, "read")]
        if name not in SKIP_ACTIONS:
            fuzz_form(probe, url, fields, files, data, seen)
    assert not probe.failures, f"{len(probe.failures)} / {probe.count}:\n" + "\n".join(probe.failures[:40])


# Pages whose forms post to other URLs, as the user who may use them: the person page at every stage, a
# graduate's (hold), a request as each side and as a draft, the mentors, an import job as its owner, …
EXTRA_PAGES = [
    *[
        (lambda w, s=stage: reverse("person-detail", args=[w.stages[s].pk]), "uni_committee")
        for stage in STAGES
        if stage != "OFFICIAL"  # an official member's page offers no step
    ],
    (lambda w: reverse("person-detail", args=[w.graduate.pk]), "uni_committee"),
    (lambda w: reverse("person-detail", args=[w.verified.pk]), "uni_committee"),
    (lambda w: reverse("person-correct", args=[w.applicant.pk, w.comments.pk]), "cell_clerk"),
    (lambda w: reverse("request-detail", args=[w.request.pk]), "ward_b"),
    (lambda w: reverse("request-detail", args=[w.request.pk]), "uni_committee"),
    (lambda w: reverse("request-detail", args=[w.transfer.pk]), "ward_b"),
    (lambda w: reverse("request-detail", args=[w.draft.pk]), "uni_committee"),
    (lambda w: reverse("mentors") + f"?unit={w.cell_student.pk}", "cell_clerk"),
    (lambda w: reverse("import-job", args=[w.job.pk]), "cell_clerk"),
    (lambda w: reverse("admin-user", args=[w.users["cell_clerk"].pk]), "city_admin"),
    (lambda w: reverse("targets-no-source", args=[w.ward_b.pk]), "ward_b"),
    (lambda w: reverse("calendar"), "city_admin"),
]


@pytest.mark.parametrize("index", range(len(EXTRA_PAGES)))
def test_bad_values_in_the_forms_of_pages_that_post_elsewhere(world, index):
    make_url, username = EXTRA_PAGES[index]
    url = make_url(world)
    probe = Probe(world, username)
    page = probe.send("GET", url)
    assert page is not None and page.status_code == 200, url
    forms = [
        f
        for f in page_forms(page.content.decode())
        if f["method"] == "post" and "dang-xuat" not in f["action"]
    ]
    assert forms, f"{url}: no form to fill"
    fuzz_page(probe, url, page.content.decode(), set())
    assert not probe.failures, f"{len(probe.failures)} / {probe.count}:\n" + "\n".join(probe.failures[:40])
