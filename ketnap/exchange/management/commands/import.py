"""`ketnap import persons FILE --unit CODE [--commit]` and `ketnap import tree FILE [--commit]`.

Prints one JSON object: {"rows": N, "create": a, "update": b, "unchanged": c, "rejected": d,
"rejects": [{"row": r, "column": "…", "message": "…"}]} (a possible duplicate, which only a person can decide on
the import page, counts as rejected here). Without --commit nothing is written. Exit 0 when no row is rejected,
1 when some are, 2 when the file cannot be read. The same code as the import pages: the rows are planned, then
the accepted ones written in one transaction with one audit row naming the file's SHA-256."""

import hashlib
import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ketnap.accounts.system import SYSTEM
from ketnap.core.audit import audit
from ketnap.exchange import actions, persons
from ketnap.exchange.reading import Unreadable
from ketnap.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Nhập danh sách người hoặc cây tổ chức từ tệp Excel/CSV (mặc định chỉ kiểm tra, --commit để ghi)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["persons", "tree"])
        parser.add_argument("file")
        parser.add_argument("--unit", help="mã tổ chức đảng nhận dữ liệu (bắt buộc với persons)")
        parser.add_argument("--commit", action="store_true", help="ghi vào hệ thống (mặc định: chỉ kiểm tra)")
        parser.add_argument("--user", help="tên đăng nhập của người nhập (mặc định: quản trị hệ thống)")
        parser.add_argument("--encoding", default="", help="bảng mã của tệp CSV (mặc định: tự nhận biết)")

    def handle(self, *args, kind, file, unit, commit, user, encoding, **options):
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có người dùng {user}.")
        if kind == "persons":
            if not unit:
                raise CommandError("Cần --unit MÃ: tổ chức đảng nhận danh sách.")
            target = OrgUnit.objects.filter(code=unit).first()
            if target is None:
                raise CommandError(f"Không có tổ chức đảng mã {unit}.")
        else:
            target = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        path = Path(file)
        try:
            data = path.read_bytes()
            table = actions.read(kind, data, path.name, encoding)
            plan = actions.plan_table(kind, table, unit=target, user=actor, today=timezone.localdate(),
                                      filename=path.name)  # fmt: skip
        except (OSError, Unreadable) as exc:
            self.stderr.write(f"Không đọc được tệp {path.name}: {exc}")
            sys.exit(2)
        rows = [r.as_json() for r in plan.rows]
        counts = plan.counts()
        rejects = []
        for r in plan.rows:
            for x in r.rejects:
                rejects.append({"row": r.row, "column": x.column, "message": x.message})
            if r.status == "duplicate":
                rejects.append({"row": r.row, "column": "Họ và tên", "message": _duplicate(r)})
        out = {
            "rows": counts["rows"],
            "create": counts["create"],
            "update": counts["update"],
            "unchanged": counts["unchanged"],
            "rejected": counts["rejected"] + counts["duplicate"],
            "rejects": rejects,
        }
        if commit and (counts["create"] or counts["update"]):
            sha = hashlib.sha256(data).hexdigest()
            try:
                with transaction.atomic():
                    written = actions.apply_rows(kind, rows, user=actor, today=timezone.localdate(),
                                                 note=actions.note_for(path.name, sha))  # fmt: skip
                    audit(actor=actor, action=f"import.{kind}", object_type="file", object_id=sha[:64], unit=target,
                          summary=f"Nhập tệp {path.name} bằng dòng lệnh: {written['create']} tạo mới, "
                                  f"{written['update']} cập nhật",
                          after={"sha256": sha, "filename": path.name, "counts": counts})  # fmt: skip
            except persons.Conflict as exc:
                raise CommandError(f"{exc} Không có dòng nào được ghi.") from exc
        self.stdout.write(json.dumps(out, ensure_ascii=False))
        if out["rejected"]:
            sys.exit(1)


def _duplicate(r) -> str:
    who = "; ".join(label for _, label in r.candidates)
    return f"Có thể trùng với người đã có ({who}); ghi số CCCD để phân biệt, hoặc quyết định trên trang nhập."
