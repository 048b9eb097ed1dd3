"""A populated world on the fixed test tree (ketnap/testing.py) for the tests that walk every URL of the project
(test_url_matrix.py, test_bad_input.py): persons at every stage of the path, a graduate, a sympathiser without a
mentor, a sent verification and a batch of transfers, an import job, a "no source left" record, a calendar
change, an authorisation, and one more user (``admin_a``, administrator of ward A only) so that an
administrator out of scope can be asked too.

Built once per test module inside a transaction that is rolled back at the end (see ``world_fixture``): every
test of the module starts from the same rows, and what a test writes is rolled back with its own savepoint."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from html.parser import HTMLParser
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from ketnap.testing import build_tree, make_person, walk_to_stage

DAY = datetime.timedelta(days=1)


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _member(t, unit, *, official=True, **fields):
    """An existing party member entered by import (official, or probationary since 100 days)."""
    from ketnap.people import actions

    person = make_person(unit, **fields)
    today = timezone.localdate()
    if official:
        data = {"stage": "OFFICIAL", "party_age_from": "2019-05-19", "ceremony_date": "2019-06-01",
                "official_date": "2020-06-01"}  # fmt: skip
        day = today - 400 * DAY
    else:
        day = today - 100 * DAY
        data = {"stage": "PROBATIONARY", "party_age_from": (day - 10 * DAY).isoformat(), "ceremony_date": day.isoformat()}  # fmt: skip
    actions.record_event(
        person, "member_imported", acting_user=t.users["city_admin"], occurred_on=day, data=data
    )
    person.refresh_from_db()
    return person


def _walk(t, stage: str, start: datetime.date):
    """A person of the student cell brought to ``stage`` through the actions (valid steps, in the past)."""
    return walk_to_stage(t, stage, start, school=t.school_uni, school_role="student", residence_ward=t.ward_b)


STAGES = ["SOURCE", "SYMPATHISER", "APPLICANT", "CELL_APPROVED", "COMMITTEE_APPROVED", "ADMITTED",
          "PROBATIONARY", "OFFICIAL", "WITHDRAWN"]  # fmt: skip


def build_world() -> SimpleNamespace:
    from ketnap.accounts.models import RoleAssignment
    from ketnap.exchange import actions as import_actions
    from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx
    from ketnap.interorg import actions as interorg_actions
    from ketnap.interorg.models import Kind
    from ketnap.orgs import calendar_actions
    from ketnap.orgs.models import Authorization
    from ketnap.targets import actions as target_actions
    from ketnap.targets import conf
    from ketnap.testing import TEST_PASSWORD

    t = build_tree()
    today = timezone.localdate()
    t.today = today
    admin = t.users["city_admin"]

    # One more user: an administrator of ward A only (an administrator asked about another subtree: 404).
    from django.contrib.auth import get_user_model

    admin_a = get_user_model().objects.create_user(username="admin_a", password=TEST_PASSWORD)
    RoleAssignment.objects.create(user=admin_a, unit=t.ward_a, role="admin")
    t.users["admin_a"] = admin_a

    # Persons at every stage of the path (student cell, university students living in ward B).
    start = today - 800 * DAY
    t.stages = {stage: _walk(t, stage, start) for stage in STAGES}
    for person in t.stages.values():
        person.refresh_from_db()
    t.sympathiser = t.stages["SYMPATHISER"]
    t.applicant = t.stages["APPLICANT"]
    t.event = t.applicant.events.order_by("-occurred_on", "-id").first()  # the latest step (a verification)
    t.comments = t.applicant.events.get(kind="comments")
    # An applicant whose background verification was sent to ward B (the request of the pages).
    t.verified = _walk(t, "APPLICANT", start)
    t.request = interorg_actions.send_new(
        acting_user=t.users["uni_committee"], kind=Kind.VERIFICATION, person=t.verified, sender=t.uni,
        receiver=t.ward_b, sent_on=today, content="Đề nghị thẩm tra lý lịch.",
    )  # fmt: skip
    # Official members: a mentor; two students who graduated (one sent in a batch, one still to send).
    t.member = _member(t, t.cell_student, family_name="Trần", middle_name="Thị", given_name="Giúp")
    t.graduate = _member(t, t.cell_student, school_role="student", expected_graduation=today - 10 * DAY,
                         given_name="Tốt", school=t.school_uni, residence_ward=t.ward_b)  # fmt: skip
    sent = _member(t, t.cell_student, school_role="student", expected_graduation=today - 20 * DAY,
                   given_name="Nghiệp", residence_ward=t.ward_b)  # fmt: skip
    t.batch = interorg_actions.send_batch(
        acting_user=t.users["uni_committee"], kind=Kind.TRANSFER, sender=t.uni, sent_on=today,
        title="Chuyển sinh hoạt đảng viên tốt nghiệp", rows=[{"person": sent, "receiver": t.ward_b,
                                                             "trigger": "graduation", "trigger_on": sent.expected_graduation}],
    )  # fmt: skip
    t.transfer = t.batch.requests.get()
    # A draft: the transfer of the mentor to ward A, not sent yet.
    t.draft = interorg_actions.create_request(acting_user=t.users["uni_committee"], kind=Kind.TRANSFER, person=t.member,
                                              sender=t.uni, receiver=t.ward_a, created_on=today)  # fmt: skip
    # A pupil of ward A's school who lives in ward A (the ward's letters).
    t.pupil = make_person(
        t.cell_a, given_name="Học", school=t.school_a, school_role="pupil", residence_ward=t.ward_a
    )
    # An import checked and waiting (uploaded by the clerk of the student cell).
    job = import_actions.start(acting_user=t.users["cell_clerk"], unit=t.cell_student, kind="persons",
                               filename="ds.xlsx", data=xlsx([HEAD, person_row(given="Nhập"), person_row(gender="?")]))  # fmt: skip
    import_actions.check_now_or_later(job)
    job.refresh_from_db()
    t.job = job
    # Ward B recorded that cell B has no source left this school year.
    t.window = conf.current_school_year(today)
    t.no_source = target_actions.record_no_source(acting_user=t.users["ward_b"], unit=t.cell_b, window=t.window.key,
                                                  reason="Không còn quần chúng ưu tú", recorded_on=today)  # fmt: skip
    # A calendar change (a Saturday worked) and the authorisation of the university's committee.
    saturday = datetime.date(today.year + 1, 1, 1)
    while saturday.weekday() != 5:
        saturday += DAY
    calendar_actions.set_calendar_day(
        acting_user=admin, date=saturday, is_working_day=True, note="Thông báo 1/TB"
    )
    t.saturday = saturday
    t.authorization = Authorization.objects.get(grantee=t.uni)
    t.clerk_role = RoleAssignment.objects.get(user=t.users["cell_clerk"])
    return t


@contextmanager
def world_fixture(django_db_blocker):
    """The world, built once inside a transaction rolled back when the module is done. The tests' own ``db``
    transactions are savepoints inside it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            try:
                yield world
            finally:
                transaction.set_rollback(True)


@contextmanager
def rolled_back():
    """Run one request and undo whatever it wrote (each POST starts from the same world)."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------- HTML forms


class FormParser(HTMLParser):
    """The forms of a page: action, method, and every named control with the value a browser would send
    (checked boxes only, the selected option or the first one, a textarea's text, the first named submit
    button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.hx_targets: dict[str, str] = {}  # address of an hx-get → the id of the element it replaces
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("hx-get") and (a.get("hx-target") or "").startswith("#"):
            self.hx_targets.setdefault(a["hx-get"].split("?")[0], a["hx-target"][1:])
        if tag == "form":
            self._form = {"action": a.get("action") or a.get("hx-post") or "", "method": (a.get("method") or "get").lower(),
                          "id": a.get("id", ""), "fields": [], "files": [], "names": [], "submit": None,
                          "hx_target": (a.get("hx-target") or "").lstrip("#") if a.get("hx-post") else None}  # fmt: skip
            self.forms.append(self._form)
            return
        form = self._form
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a and self._select["selected"] is None:
                self._select["selected"] = value
            return
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit" and form["submit"] is None:
                    form["submit"] = (name, a.get("value", ""))
                return
            if name not in form["names"]:
                form["names"].append(name)
            if kind == "file":
                form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            else:
                form["fields"].append((name, a.get("value") or ""))
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit" and form["submit"] is None:
                form["submit"] = (name, a.get("value", ""))
        elif tag == "select":
            if name not in form["names"]:
                form["names"].append(name)
            self._select = {"name": name, "first": None, "selected": None, "multiple": "multiple" in a}
        elif tag == "textarea":
            if name not in form["names"]:
                form["names"].append(name)
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            value = s["selected"] if s["selected"] is not None else s["first"]
            if value is not None:
                self._form["fields"].append((s["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def page_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def hx_targets(html: str) -> dict[str, str]:
    """The page's HTMX partial requests: address → the id of the element the answer replaces."""
    parser = FormParser()
    parser.feed(html)
    return parser.hx_targets


def form_data(form: dict, **overrides) -> dict:
    """What a browser sends for ``form`` as rendered (first submit button), with ``overrides``."""
    data: dict[str, list] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    if form["submit"] is not None:
        data.setdefault(form["submit"][0], []).append(form["submit"][1])
    for name, value in overrides.items():
        data[name] = value if isinstance(value, list) else [value]
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}
