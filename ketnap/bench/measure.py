"""`ketnap bench dataset|dashboard --size mini|city|nation`: build a benchmark dataset, then measure the
dashboards against a hand-written SQL query over the raw tables (the engine's limit).

`dashboard` builds the dataset first when the database is empty, builds the indicator rollup when missing,
then takes the median server time (Django's test client, in process: URL resolution, middleware, queries,
templates) of: the root dashboard, one school's dashboard, one drill-down (a child of the root), the cells
behind an indicator, the people list and a person page; and the median time of one SQL statement that
computes the root's school-year indicators from the raw ledger, tree and schools.
"""

from __future__ import annotations

import json as jsonlib
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketnap.bench import dataset
from ketnap.core.models import AuditLog
from ketnap.orgs.models import OrgUnit
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import add_months
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups
from ketnap.targets.models import NoSourceRecord, Rollup

HE = tuple(sorted(ind.HE_LEVELS))
K12 = tuple(sorted(ind.K12_LEVELS))


def baseline_sql() -> str:
    """The root's school-year indicators of one window, in one statement over the raw tables (current tree)."""
    from ketnap.orgs.models import School

    unit, school = OrgUnit._meta.db_table, School._meta.db_table
    person, event = Person._meta.db_table, PersonEvent._meta.db_table
    nosource = NoSourceRecord._meta.db_table
    he = ", ".join(f"'{x}'" for x in HE)
    k12 = ", ".join(f"'{x}'" for x in K12)
    return f"""
WITH org AS (
    SELECT party_org_id AS id, MAX(CASE WHEN level IN ({he}) THEN 1 ELSE 0 END) AS he
    FROM {school} WHERE party_org_id IS NOT NULL GROUP BY party_org_id
), adm AS (
    SELECT e.org_id AS id, COUNT(DISTINCT e.person_id) AS n,
           COUNT(DISTINCT CASE WHEN p.school_role = 'teacher' THEN e.person_id END) AS teachers,
           COUNT(DISTINCT CASE WHEN y.first_on <= e.occurred_on THEN e.person_id END) AS excellent
    FROM {event} e JOIN {person} p ON p.id = e.person_id
    LEFT JOIN (SELECT person_id, MIN(occurred_on) AS first_on FROM {event} WHERE kind = 'youth_union_introduction'
               GROUP BY person_id) y ON y.person_id = e.person_id
    WHERE e.kind = 'decision' AND e.occurred_on >= %(start)s AND e.occurred_on <= %(end)s
    GROUP BY e.org_id
), u AS (
    SELECT x.id, x.kind, x.cell_kind, x.founded_on,
           CASE WHEN (x.dissolved_on IS NULL OR x.dissolved_on > %(end)s)
                 AND (x.founded_on IS NULL OR x.founded_on <= %(end)s) THEN 1 ELSE 0 END AS active,
           COALESCE(o1.he, o2.he, o3.he) AS he,
           CASE WHEN o2.he = 1 AND par.kind = 'grassroots' THEN 1 ELSE 0 END AS under_he,
           CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS exempt,
           COALESCE(a.n, 0) AS n, COALESCE(a.teachers, 0) AS teachers, COALESCE(a.excellent, 0) AS excellent
    FROM {unit} x
    LEFT JOIN {unit} par ON par.id = x.parent_id
    LEFT JOIN org o1 ON o1.id = x.id
    LEFT JOIN org o2 ON o2.id = x.parent_id
    LEFT JOIN org o3 ON o3.id = par.parent_id
    LEFT JOIN adm a ON a.id = x.id
    LEFT JOIN {nosource} r ON r.unit_id = x.id AND r."window" = %(window)s
)
SELECT
    (SELECT COUNT(*) FROM {school} s WHERE s.level IN ({k12})),
    (SELECT COUNT(*) FROM {school} s JOIN {unit} o ON o.id = s.party_org_id WHERE s.level IN ({k12})
        AND (o.dissolved_on IS NULL OR o.dissolved_on > %(end)s) AND (o.founded_on IS NULL OR o.founded_on <= %(end)s)),
    SUM(CASE WHEN he = 0 AND kind IN ('cell', 'grassroots_cell') AND active = 1 AND exempt = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN he = 0 AND kind IN ('cell', 'grassroots_cell') AND active = 1 AND exempt = 0 AND n >= 2
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN he = 0 AND kind IN ('cell', 'grassroots_cell') AND active = 1 AND exempt = 0 AND teachers >= 1
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN he = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN he = 1 THEN excellent ELSE 0 END),
    SUM(CASE WHEN kind = 'cell' AND active = 1 AND under_he = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN kind = 'cell' AND active = 1 AND under_he = 1 AND n >= 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN he = 1 AND kind IN ('cell', 'grassroots_cell') AND active = 1 AND cell_kind = 'student'
        AND (founded_on IS NULL OR founded_on <= %(old)s) THEN 1 ELSE 0 END),
    SUM(CASE WHEN he = 1 AND kind IN ('cell', 'grassroots_cell') AND active = 1 AND cell_kind = 'student'
        AND (founded_on IS NULL OR founded_on <= %(old)s) AND n >= 1 THEN 1 ELSE 0 END)
FROM u
"""


BASELINE_FIELDS = ("k12_schools", "k12_schools_org", "k12_cells", "k12_cells_two", "k12_cells_teacher",
                   "he_admitted", "he_excellent", "he_subcells", "he_subcells_ok", "he_student_cells",
                   "he_student_cells_ok")  # fmt: skip


def run_baseline(w: ind.Window) -> dict[str, int]:
    sql = baseline_sql()
    params = {"start": w.start, "end": w.end, "window": w.key, "old": add_months(w.end, -12)}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return {name: int(v or 0) for name, v in zip(BASELINE_FIELDS, row)}


def _median(fn, runs: int, warm: int = 2, cpu: list | None = None) -> tuple[float, float]:
    """Median and 90th percentile of the wall time of `fn` in ms; with `cpu`, the median CPU time of this
    process is appended to it (on SQLite, where the database works inside the process, it is the request's
    cost without the waits of a shared machine)."""
    for _ in range(warm):
        fn()
    samples, cpu_samples = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu_samples.append((time.process_time() - c0) * 1000)
    samples.sort()
    if cpu is not None:
        cpu.append(round(statistics.median(cpu_samples), 1))
    return round(statistics.median(samples), 1), round(samples[max(0, int(len(samples) * 0.9) - 1)], 1)


def _plain_static_urls() -> None:
    """Serve static URLs without the collectstatic manifest (the page's static files are not measured)."""
    from django.contrib.staticfiles import storage
    from django.utils.functional import empty

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    storage.staticfiles_storage._wrapped = empty


def login(client: Client, user) -> None:
    """Log the measuring client in as `user`, past the second factor (what is measured is the pages, and a
    bench user has no phone): the session's two-factor mark set at login is removed."""
    from ketnap.accounts.middleware import TWO_FACTOR_KEY

    client.force_login(user)
    session = client.session
    if session.pop(TWO_FACTOR_KEY, None) is not None:
        session.save()


def dataset_size() -> str | None:
    row = (
        AuditLog.objects.filter(action="bench.dataset")
        .order_by("-id")
        .values_list("object_id", flat=True)
        .first()
    )
    return row


def ensure_dataset(size: str, log) -> dict:
    have = dataset_size()
    if have == size:
        return {}
    if have is not None or Person.objects.exists():
        raise CommandError(f"Cơ sở dữ liệu này đã có dữ liệu khác ({have or 'không phải dữ liệu đo'}); "
                           f"hãy dùng một cơ sở dữ liệu trống cho dữ liệu đo «{size}».")  # fmt: skip
    log(f"Tạo dữ liệu đo «{size}» ({connection.vendor})…")
    t0 = time.perf_counter()
    report = dataset.generate(size, log=log)
    return {"generate_s": round(time.perf_counter() - t0, 1), "generate_steps_s": report.timings}


def _previous_quarter(day) -> tuple[int, int]:
    quarter = (day.month - 1) // 3 + 1
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def page_cases(root, ward, school) -> dict[str, str]:
    """Every list of issue 11 at the root (the largest scope): people list (whole, filtered, searched without
    accents, one ward), the applicant's page, board, inbox, requests, quarterly list, the lists behind every
    number, the weakness lists, the lagging cells and the pipeline page."""
    from ketnap.rules import indicators as ind

    applicant = (
        Person.objects.filter(stage="APPLICANT", unit_id__in=OrgUnit.objects.filter(path__startswith=ward.path)
                              .values("pk")).order_by("pk").values_list("pk", flat=True).first()
    )  # fmt: skip
    sy = conf.current_school_year(timezone.localdate())
    out = {
        "people_list_filtered": reverse("person-list") + "?stage=APPLICANT",
        "people_list_search": reverse("person-list") + "?q=nguyen+van",
        "people_list_search_rare": reverse("person-list") + "?q=thi+hoa",
        "people_list_unit": reverse("person-list") + f"?unit={ward.pk}",
        "people_list_page_20": reverse("person-list") + "?page=20",
        "board": reverse("pipeline"),
        "inbox": reverse("inbox"),
        "requests_list": reverse("request-list"),
        # the previous quarter: the graduates of June leave in July–September
        "quarterly_list": reverse("quarterly")
        + "?nam={}&quy={}".format(*_previous_quarter(timezone.localdate())),
        "home": reverse("home"),
        "lagging_cells": reverse("targets-lagging", args=[root.pk]),
        "pipeline_page": reverse("targets-pipeline", args=[root.pk]),
    }
    if applicant:
        out["person_page_applicant"] = reverse("person-detail", args=[applicant])
    for code in ind.ALL_INDICATORS:
        out[f"number_{code}"] = reverse("targets-indicator", args=[root.pk, code])
    for flow, he in (("admitted", False), ("admitted", True), ("pool", False), ("sources", False),
                     ("sympathisers", False), ("applicants", False), ("recognised", False)):  # fmt: skip
        out[f"persons_{flow}{'_he' if he else ''}"] = (
            reverse("targets-persons", args=[root.pk])
            + f"?ky={sy.key}&luong={flow}"
            + ("&dh=1" if he else "")
        )
    for code in ind.WEAKNESSES:
        out[f"weakness_{code}"] = reverse("targets-weakness", args=[root.pk, code])
    return out


def run(command, what: str, *, size: str, runs: int, json: bool, rebuild: bool = False, pages: bool = False,
        only: str = "", **_) -> None:  # fmt: skip
    log = command.stderr.write if json else command.stdout.write
    meta: dict = {"engine": connection.vendor, "size": size}
    meta.update(ensure_dataset(size, log))
    today = timezone.localdate()
    windows = conf.default_windows(today)
    if rebuild or not set(w.key for w in windows) <= rollups.built_keys():
        log(f"Tính bảng tổng hợp chỉ số ({len(windows)} kỳ)…")
        t0 = time.perf_counter()
        steps = rollups.build(windows, log=log)
        meta["rollup_build_s"] = round(time.perf_counter() - t0, 1)
        meta["rollup_build_steps_s"] = {k: round(v, 1) for k, v in steps.items()}
    if what == "dataset":
        command.stdout.write(jsonlib.dumps(meta, ensure_ascii=False, indent=2) if json else str(meta))
        return
    meta.update(
        units=OrgUnit.objects.count(), persons=Person.objects.count(), events=PersonEvent.objects.count(),
        rollup_rows=Rollup.objects.count(), runs=runs,
    )  # fmt: skip
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    _plain_static_urls()
    user = get_user_model().objects.filter(username=dataset.BENCH_USER).first()
    if user is None:
        raise CommandError("Không có người dùng đo; dữ liệu đo chưa được tạo bằng `ketnap bench dataset`.")
    client = logged_in_client(user)
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    school = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.GRASSROOTS, schools__level="university")
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    ward = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.WARD)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    busiest = Person.objects.filter(stage="PROBATIONARY").order_by("pk").values_list("pk", flat=True).first()
    biggest_child = root.children.annotate(n=Count("children")).order_by("-n", "pk").first()
    sy = conf.current_school_year(today)
    cases = {
        "dashboard": reverse("targets-dashboard", args=[root.pk]),
        "child_of_root_dashboard": reverse("targets-dashboard", args=[biggest_child.pk]),
        "school_dashboard": reverse("targets-dashboard", args=[school.pk]),
        "drilldown_dashboard": reverse("targets-dashboard", args=[ward.pk]),
        "indicator_cells": reverse("targets-indicator", args=[ward.pk, "K12_CELL_TWO"]),
        "people_list": reverse("person-list"),
        "person_page": reverse("person-detail", args=[busiest]),
    }
    if pages:
        cases.update(page_cases(root, ward, school))
    if only:
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        cases = {k: v for k, v in cases.items() if any(k.startswith(w) for w in wanted)}
    results: dict[str, dict] = {}
    for name, url in cases.items():
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} trả về {response.status_code}")
        cpu: list[float] = []
        median, p90 = _median(lambda url=url: client.get(url), runs, cpu=cpu)
        results[name] = {"url": url, "median_ms": median, "p90_ms": p90, "cpu_median_ms": cpu[0]}
        log(f"  {name:34s} trung vị {median:8.1f} ms   p90 {p90:8.1f} ms   CPU {cpu[0]:8.1f} ms")

    def ms(name):
        return results[name]["median_ms"] if name in results else None

    out = {
        "dashboard_ms": ms("dashboard"),
        "child_of_root_ms": ms("child_of_root_dashboard"),
        "school_ms": ms("school_dashboard"),
        "drilldown_ms": ms("drilldown_dashboard"),
        "indicator_cells_ms": ms("indicator_cells"),
        "people_list_ms": ms("people_list"),
        "person_page_ms": ms("person_page"),
        "slowest_page": max(results, key=lambda k: results[k]["median_ms"]) if results else None,
        "slowest_page_ms": max((r["median_ms"] for r in results.values()), default=None),
    }
    mismatches = {}
    if not only:
        base_median, base_p90 = _median(lambda: run_baseline(sy), runs)
        log(f"  {'sql_baseline':34s} trung vị {base_median:8.1f} ms   p90 {base_p90:8.1f} ms")
        base = run_baseline(sy)
        row = Rollup.objects.get(window=sy.key, unit=root)
        mismatches = {k: (base[k], getattr(row, k)) for k in BASELINE_FIELDS if base[k] != getattr(row, k)}
        out["sql_baseline_ms"] = base_median
        out["ratio"] = round(out["dashboard_ms"] / base_median, 2) if base_median else None
        out["baseline_matches_rollup"] = not mismatches
    out.update(meta=meta, results=results)
    if mismatches:
        out["baseline_mismatches"] = mismatches
    if json:
        command.stdout.write(jsonlib.dumps(out, ensure_ascii=False, indent=2))
    else:
        command.stdout.write(jsonlib.dumps({k: v for k, v in out.items() if k != "results"}, ensure_ascii=False,
                                           indent=2))  # fmt: skip


def logged_in_client(user) -> Client:
    """A test client logged in as `user` for measuring pages, past the second factor (`login`)."""
    client = Client()
    login(client, user)
    return client
