"""`ketnap seed --size small|city [--if-empty] [--seed N] [--today YYYY-MM-DD]`: load the demo city."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from ketnap.demo import seed as demo
from ketnap.orgs.models import OrgUnit
from ketnap.people.models import Person


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ (cần YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Tạo dữ liệu thành phố mẫu (tổ chức đảng, trường học, người và sổ sự kiện) — load the demo city."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="city")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="hạt giống ngẫu nhiên")
        parser.add_argument("--today", type=iso_date, default=None, help="ngày hôm nay giả định (YYYY-MM-DD)")
        parser.add_argument("--persons", type=int, default=None, help="số người (mặc định theo --size)")
        parser.add_argument("--if-empty", action="store_true", help="bỏ qua nếu đã có dữ liệu người")

    def handle(self, *args, size, seed, today, persons, if_empty, **options):
        started = time.perf_counter()
        if Person.objects.exists():
            if not if_empty:
                raise CommandError(
                    "Cơ sở dữ liệu đã có dữ liệu người; dùng --if-empty hoặc `ketnap flush` trước."
                )
            self.stdout.write("Đã có dữ liệu; bỏ qua việc tạo dữ liệu mẫu.")
            self.print_users(demo.existing_users())
            return
        if OrgUnit.objects.exists():
            raise CommandError("Cơ sở dữ liệu đã có tổ chức đảng; dữ liệu mẫu cần một cơ sở dữ liệu trống.")
        self.stdout.write(f"Tạo dữ liệu mẫu «{size}» (seed {seed})…")
        report = demo.seed(size, seed=seed, today=today, persons=persons, log=self.stdout.write)
        self.stdout.write(
            f"Xong: {report.units} tổ chức đảng, {report.schools} trường, {report.persons} người, "
            f"{report.events} sự kiện; ngày tham chiếu {report.today:%d/%m/%Y}; "
            f"tổng thời gian {time.perf_counter() - started:.1f} s."
        )
        labels = dict(Person._meta.get_field("stage").choices)
        for stage, n in report.stages.items():
            self.stdout.write(f"  {labels[stage]:<32} {n:>7,}".replace(",", "."))
        self.print_users(demo.existing_users())

    def print_users(self, users):
        if not users:
            return
        from ketnap.accounts.roles import Role

        roles = dict(Role.choices)
        width = max(len(u) for u, _, _ in users)
        self.stdout.write("")
        self.stdout.write(f"Người dùng mẫu — mật khẩu chung: {demo.DEMO_PASSWORD}")
        self.stdout.write(f"  {'Tên đăng nhập':<{width}}  {'Vai trò':<18}  Đơn vị")
        for username, role, unit in users:
            self.stdout.write(f"  {username:<{width}}  {roles.get(role, role):<18}  {unit.name}")
        self.stdout.write(f"Địa chỉ: {demo.site_url()}")
