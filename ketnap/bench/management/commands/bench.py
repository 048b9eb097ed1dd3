"""`ketnap bench pages`: median server time of the main pages on the current database.

Run it on the city demo (see `make bench`). Requests go through Django's test client in-process,
so the figure is server time: URL resolution, middleware, queries, template rendering.
"""

import json
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse


class Command(BaseCommand):
    help = "Đo thời gian phục vụ (trung vị) của các trang chính trên cơ sở dữ liệu hiện tại."

    def add_arguments(self, parser):
        parser.add_argument("what", nargs="?", default="pages",
                            choices=["pages", "dataset", "dashboard", "papers", "load", "backtest"],
                            help="pages: các trang chính; dataset: tạo dữ liệu đo; dashboard: đo bảng điều khiển "
                            "so với một truy vấn SQL viết tay (ketnap/bench); papers: toàn bộ hồ sơ thành PDF")  # fmt: skip
        parser.add_argument("--size", choices=["mini", "city", "nation"], default="city",
                            help="dữ liệu đo cho dataset/dashboard (cơ sở dữ liệu trống: tạo mới)")  # fmt: skip
        parser.add_argument(
            "--rebuild", action="store_true", help="dashboard: tính lại và đo bảng tổng hợp chỉ số"
        )
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument(
            "--only",
            default="",
            help="dashboard: chỉ đo các trang có tên bắt đầu như thế (cách nhau dấu phẩy)",
        )
        parser.add_argument("--pages", action="store_true",
                            help="dashboard: đo thêm mọi danh sách (người, hồ sơ, bảng tiến độ, việc cần làm, văn bản, "
                            "danh sách hằng quý, danh sách sau mỗi con số, danh sách yếu kém, quy trình)")  # fmt: skip
        parser.add_argument(
            "--user", default="", help="tên người dùng (mặc định: một quản trị cấp thành phố)"
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--users", type=int, default=200, help="load: số người dùng đồng thời")
        parser.add_argument("--duration", type=int, default=60, help="load: số giây đo")
        parser.add_argument("--spawn-rate", type=float, default=0, help="load: số người dùng thêm mỗi giây")
        parser.add_argument(
            "--workers", type=int, default=0, help="load: số tiến trình gunicorn (mặc định 2)"
        )
        parser.add_argument(
            "--threads", type=int, default=0, help="load: số luồng mỗi tiến trình (mặc định 8)"
        )
        parser.add_argument(
            "--url", default="", help="load: địa chỉ một máy chủ đang chạy (không tự chạy gunicorn)"
        )
        parser.add_argument(
            "--logins", type=int, default=0, help="load: số người dùng đăng nhập qua trang đăng nhập"
        )

    def handle(self, *args, what, runs, user, json: bool, **options):
        if what == "papers":
            from ketnap.bench.papers import measure

            result = measure(runs=min(runs, 20))
            if json:
                self.stdout.write(_json(result))
            else:
                self.stdout.write(
                    f"Toàn bộ hồ sơ của người số {result['person_id']}: {result['papers']} giấy tờ, "
                    f"{result['pages']} trang PDF ({result['bytes'] // 1024} KB); lần đầu {result['first_ms']} ms, "
                    f"trung vị {result['median_ms']} ms, chậm nhất {result['max_ms']} ms ({result['runs']} lần); "
                    f"một tệp Word {result['docx_one_ms']} ms"
                )
            return
        if what == "load":
            from ketnap.bench.load import run as load

            load(self, json=json, **options)
            return
        if what == "backtest":
            from ketnap.bench.backtest import run as backtest

            backtest(self, json=json, **options)
            return
        if what in ("dataset", "dashboard"):
            from ketnap.bench.measure import run

            return run(self, what, runs=runs, json=json, **options)
        from ketnap.accounts.models import RoleAssignment
        from ketnap.orgs.models import OrgUnit
        from ketnap.people.models import Person

        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append("testserver")
        User = get_user_model()
        if user:
            account = User.objects.filter(username=user).first()
        else:
            ra = RoleAssignment.objects.filter(unit__kind=OrgUnit.Kind.CITY).select_related("user").first()
            account = ra.user if ra else User.objects.filter(is_superuser=True).first()
        if account is None:
            raise CommandError("Không có người dùng để đo; hãy chạy `ketnap seed` trước.")
        persons = Person.objects.count()
        busiest = (
            Person.objects.exclude(stage="SOURCE")
            .order_by("-warning_count", "-updated_at")
            .values_list("pk", flat=True)
            .first()
        )
        if busiest is None:
            raise CommandError("Cơ sở dữ liệu chưa có hồ sơ; hãy chạy `ketnap seed --size city` trước.")
        # The heaviest applicant page: the most forms (cell vote, introducers, helpers), in the cell with the
        # most persons (its roster and the official members near it are the longest lists).
        applicant = (
            Person.objects.filter(stage="APPLICANT")
            .annotate(peers=Count("unit__persons"))
            .order_by("-peers", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        from ketnap.bench.measure import login

        client = Client()
        login(client, account)
        cases = {
            "people_list_city": reverse("person-list"),
            "people_list_filtered": reverse("person-list") + "?stage=APPLICANT",
            "people_list_search": reverse("person-list") + "?q=nguyen+van",
            "person_page": reverse("person-detail", args=[busiest]),
            **({"person_page_applicant": reverse("person-detail", args=[applicant])} if applicant else {}),
            "pipeline_board": reverse("pipeline"),
            "home": reverse("home"),
            "inbox": reverse("inbox"),
        }
        results = {}
        for name, url in cases.items():
            for _ in range(3):  # warm up caches
                response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url} trả về {response.status_code}")
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - t0) * 1000)
            results[name] = {
                "median_ms": round(statistics.median(samples), 1),
                "p90_ms": round(sorted(samples)[int(runs * 0.9) - 1], 1),
            }
        meta = {"engine": connection.vendor, "persons": persons, "user": account.username, "runs": runs}
        if json:
            self.stdout.write(_json({"meta": meta, "results": results}))
            return
        self.stdout.write(
            f"CSDL {meta['engine']}, {persons} người, người dùng {account.username}, {runs} lần đo"
        )
        for name, r in results.items():
            self.stdout.write(f"  {name:24s} trung vị {r['median_ms']:7.1f} ms   p90 {r['p90_ms']:7.1f} ms")


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
