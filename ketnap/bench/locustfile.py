"""The simulated users of `ketnap bench load` (Locust): the demo's roles doing what they do in a working day.

Run by `ketnap bench load` in its own process (Locust patches the standard library with gevent: it never runs
inside Django). It imports nothing from Django: everything it needs comes in the JSON file named by
KETNAP_LOAD_CONFIG (written by ketnap.bench.load): the accounts with their role, unit and a session already
open for each simulated user, persons each may open, names to search. What the writers recorded (the persons
they added and the steps they recorded) is written at the end to KETNAP_LOAD_WRITES, so that the command can
check that no write was lost.

Page kinds (the names in the statistics): home, dashboard, people list, search, person page, board, inbox,
requests, quarterly list, behind a number, weakness list, pipeline page, login (a few real logins), and the
writes: "ghi: thêm nguồn" (a new source at the cell, through its form) and "ghi: lớp nhận thức" (the
awareness class recorded for that person, through the person page's form)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

CONFIG = json.load(open(os.environ["KETNAP_LOAD_CONFIG"], encoding="utf-8"))
WRITES: list[dict] = []
_LOCK = threading.Lock()
_SLOTS = itertools.count()
_NAMES = itertools.count(1)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
PERSON = re.compile(r"/nguoi/(\d+)/$")


def form_fields(html: str, form_id: str | None = None, action: str | None = None) -> dict[str, str]:
    """The hidden tokens of one form of a page (found by its id or its action)."""
    if form_id:
        found = re.search(rf'<form[^>]*id="{re.escape(form_id)}".*?</form>', html, re.S)
    else:
        found = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    if not found:
        return {}
    block = found.group(0)
    out = {}
    for name, pattern in (("csrfmiddlewaretoken", CSRF), ("form_token", TOKEN)):
        m = pattern.search(block)
        if m:
            out[name] = m.group(1)
    return out


class Worker(HttpUser):
    """One simulated user, playing one of the demo accounts (several simulated users may share an account, each
    with their own session)."""

    wait_time = between(CONFIG.get("wait_min", 2), CONFIG.get("wait_max", 8))

    def on_start(self):
        slot = next(_SLOTS)
        self.me = CONFIG["users"][slot % len(CONFIG["users"])]
        self.rng = random.Random(CONFIG.get("seed", 2026) * 1000 + slot)
        if slot < CONFIG.get("real_logins", 0):
            self.login()
        else:
            self.client.cookies.set(
                CONFIG["session_cookie"], self.me["sessions"][slot // len(CONFIG["users"])]
            )
        self.mine: list[int] = []  # persons this simulated user added in the run
        if self.me.get("cell"):  # a clerk's or secretary's day starts with the papers to enter
            self.add_source()

    def login(self):
        page = self.client.get("/dang-nhap/", name="đăng nhập")
        token = CSRF.search(page.text)
        self.client.post("/dang-nhap/", name="đăng nhập",
                         data={"username": self.me["username"], "password": CONFIG["password"],
                               "csrfmiddlewaretoken": token.group(1) if token else ""},
                         headers={"Referer": self.host + "/dang-nhap/"})  # fmt: skip

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {url}")
            return r

    # ------------------------------------------------------------------------------------------ reading

    @task(6)
    def home(self):
        self.get("/", "trang chủ")

    @task(4)
    def people_list(self):
        self.get("/nguoi/", "danh sách người")

    @task(5)
    def search(self):
        q = self.rng.choice(CONFIG["searches"])
        self.get(f"/nguoi/?q={q}", "tìm người")

    @task(8)
    def person_page(self):
        pk = self.rng.choice(self.me["persons"] or [0])
        if pk:
            self.get(f"/nguoi/{pk}/", "hồ sơ")

    @task(3)
    def board(self):
        self.get("/nguoi/bang/", "bảng tiến độ")

    @task(4)
    def inbox(self):
        self.get("/lien-to-chuc/viec-can-lam/", "việc cần làm")

    @task(2)
    def requests_list(self):
        self.get("/lien-to-chuc/", "văn bản")

    @task(1)
    def quarterly(self):
        self.get("/lien-to-chuc/hang-quy/", "danh sách hằng quý")

    @task(3)
    def dashboard(self):
        self.get(f"/chi-tieu/{self.me['unit']}/", "chỉ tiêu")

    @task(2)
    def behind_a_number(self):
        flow = self.rng.choice(["admitted", "pool", "applicants"])
        self.get(f"/chi-tieu/{self.me['unit']}/nguoi/?luong={flow}", "sau con số")

    @task(1)
    def weakness(self):
        code = self.rng.choice(CONFIG["weaknesses"])
        self.get(f"/chi-tieu/{self.me['unit']}/yeu-kem/{code}/", "danh sách yếu kém")

    @task(1)
    def pipeline(self):
        self.get(f"/chi-tieu/{self.me['unit']}/quy-trinh/", "quy trình")

    # ------------------------------------------------------------------------------------------ writing

    @task(3)
    def add_source(self):
        """A clerk or secretary adds a person to the cell's pool through the form, then (next time) records
        the awareness class for them through the person page's form."""
        if not self.me.get("cell"):
            return
        if self.mine and self.rng.random() < 0.6:
            return self.awareness_class(self.mine.pop())
        url = f"/to-chuc/{self.me['unit']}/them-nguon/"
        page = self.get(url, "ghi: thêm nguồn")
        fields = form_fields(page.text, form_id="source-form")
        if not fields:
            return
        n = next(_NAMES)
        name = f"Tải Thử {CONFIG['marker']} {n}"
        data = {**fields, "full_name": name, "birth_date": "15/03/2004", "gender": "F", "citizen_id": "",
                "education": "upper_secondary", "school_role": "student", "school": "", "faculty_class": "",
                "expected_graduation": "", "residence_ward": "", "occurred_on": CONFIG["today"], "note": ""}  # fmt: skip
        with self.client.post(url, data=data, name="ghi: thêm nguồn", allow_redirects=False,
                              headers={"Referer": self.host + url}, catch_response=True) as r:  # fmt: skip
            found = PERSON.search(r.headers.get("Location", ""))
            if r.status_code == 302 and found:
                pk = int(found.group(1))
                self.mine.append(pk)
                with _LOCK:
                    WRITES.append({"name": name, "person": pk, "steps": ["source_identified"]})
            else:
                r.failure(f"{r.status_code}: nguồn không được ghi")

    def awareness_class(self, pk: int):
        url = f"/nguoi/{pk}/"
        page = self.get(url, "hồ sơ")
        action = f"/nguoi/{pk}/ghi/awareness_class/"
        fields = form_fields(page.text, action=action)
        if not fields:
            return
        data = {**fields, "occurred_on": CONFIG["today"], "certificate_number": f"{pk}-CN/TTCT", "note": ""}
        with self.client.post(action, data=data, name="ghi: lớp nhận thức", allow_redirects=False,
                              headers={"Referer": self.host + url}, catch_response=True) as r:  # fmt: skip
            if r.status_code == 302:
                with _LOCK:
                    for w in WRITES:
                        if w["person"] == pk:
                            w["steps"].append("awareness_class")
            else:
                r.failure(f"{r.status_code}: lớp nhận thức không được ghi")


@events.quitting.add_listener
def _save_writes(environment, **kwargs):
    path = os.environ.get("KETNAP_LOAD_WRITES")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(WRITES, f, ensure_ascii=False)
