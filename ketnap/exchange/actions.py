"""The import's verbs: upload a file, check it (the preview), record decisions on possible duplicates, commit.

A commit writes every accepted row in ONE transaction together with the job's new status and one audit row
naming the file by its SHA-256: all of it or nothing (a refusal, an error or a killed process leaves nothing
half-written; the job then says so and can be checked again). Checking and committing run in the request for
small files and as a background task (`ketnap.exchange.tasks`, django-tasks' database queue, worker
`ketnap db_worker`) for large ones; the same functions either way, and the same ones `ketnap import` runs."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.audit import audit
from ketnap.exchange import persons, progress, tree
from ketnap.exchange.columns import PERSON_COLUMNS, SCHOOL_COLUMNS, UNIT_COLUMNS, looks_like
from ketnap.exchange.models import ImportJob
from ketnap.exchange.reading import Table, Unreadable, read_table

S = ImportJob.Status
log = logging.getLogger(__name__)


def background_rows() -> int:
    """Files with more data rows than this are checked and committed by the background worker."""
    return int(getattr(settings, "KETNAP_IMPORT_BACKGROUND_ROWS", 300))


def perm_for(kind: str) -> str:
    return Perm.ADMIN if kind == ImportJob.Kind.TREE else Perm.PREPARE


def _looks_right(kind: str):
    cols = PERSON_COLUMNS if kind == ImportJob.Kind.PERSONS else UNIT_COLUMNS
    return lambda row: (
        looks_like(row, cols) or (kind == ImportJob.Kind.TREE and looks_like(row, SCHOOL_COLUMNS))
    )


def read(kind: str, data: bytes, filename: str, encoding: str = "") -> Table:
    return read_table(data, filename, encoding, _looks_right(kind))


def note_for(filename: str, sha: str) -> str:
    return f"Nhập từ tệp {filename} (SHA-256 {sha[:12]}…)"


# ---------------------------------------------------------------------------------------------- plan, apply


def plan_table(kind: str, table: Table, *, unit, user, today, decisions=None, progress_fn=None, filename=""):
    if kind == ImportJob.Kind.PERSONS:
        sheet = next(
            (s for s in table.sheets if s.rows and _has_header(s.rows)),
            table.sheets[0] if table.sheets else None,
        )
        if sheet is None:
            raise Unreadable("Tệp không có trang tính nào.")
        result = persons.plan(sheet.rows, unit=unit, user=user, today=today, filename=filename,
                              decisions=decisions, progress=progress_fn, first_row=sheet.first_row)  # fmt: skip
    else:
        result = tree.plan(table.sheets, user=user, today=today, progress=progress_fn)
    if table.encoding_guessed:
        result.notes.append(f"Bảng mã của tệp được nhận biết tự động: {table.encoding}.")
    if result.unknown:
        result.notes.append("Các cột không dùng khi nhập: " + ", ".join(result.unknown) + ".")
    return result


def _has_header(rows) -> bool:
    return any(looks_like(r, PERSON_COLUMNS) for r in rows[:10])


def apply_rows(kind: str, rows: list[dict], *, user, today, note: str, progress_fn=None) -> dict:
    module = persons if kind == ImportJob.Kind.PERSONS else tree
    return module.apply(rows, user=user, today=today, note=note, progress=progress_fn)


# ---------------------------------------------------------------------------------------------- the job


def start(*, acting_user, unit, kind: str, filename: str, data: bytes, encoding: str = "") -> ImportJob:
    """Keep the uploaded file; the check comes next (`check`, here or in the background)."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError("Loại dữ liệu nhập không hợp lệ.")
    if not path_in_scope(unit.path, acting_user):
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem.")
    require(acting_user, perm_for(kind), unit)
    if unit.dissolved_on is not None:
        raise ValidationError(f"{unit.name} đã giải thể.")
    with transaction.atomic():
        return ImportJob.objects.create(
            kind=kind, unit=unit, created_by=acting_user, filename=(filename or "tệp")[:255],
            sha256=hashlib.sha256(data).hexdigest(), size=len(data), content=data, encoding=encoding,
        )  # fmt: skip


def row_count(job: ImportJob) -> int:
    """Data rows of the file (for the choice between the request and the background), 0 when unreadable."""
    try:
        table = read(job.kind, bytes(job.content), job.filename, job.encoding)
    except Unreadable:
        return 0
    return sum(max(len(s.rows) - 1, 0) for s in table.sheets)


def _mark(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def check(job_id: int) -> ImportJob:
    """Read the file and plan every row (writes only the job: its result and status)."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    _mark(job.pk, status=S.CHECKING, started_at=timezone.now(), error="")
    progress.write(job.pk, "check", 0, 0)
    try:
        table = read(job.kind, bytes(job.content), job.filename, job.encoding)
        result = plan_table(job.kind, table, unit=job.unit, user=job.created_by, today=timezone.localdate(),
                            decisions=job.decisions, filename=job.filename,
                            progress_fn=lambda done, total: progress.write(job.pk, "check", done, total))  # fmt: skip
    except Unreadable as exc:
        _mark(job.pk, status=S.UNREADABLE, error=str(exc), result={})
        progress.clear(job.pk)
        return ImportJob.objects.get(pk=job.pk)
    counts = result.counts()
    _mark(job.pk, status=S.CHECKED, encoding_used=table.encoding, encoding_guessed=table.encoding_guessed,
          result={"counts": counts, "headers": result.headers, "notes": result.notes,
                  "sheet_headers": result.sheet_headers,
                  "rows": [r.as_json() for r in result.rows]})  # fmt: skip
    progress.clear(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def decide(job: ImportJob, *, acting_user, decisions: dict) -> ImportJob:
    """What to do with the possible duplicates (create a new person, update the one found, skip): the rows are
    checked again with these decisions."""
    _require_owner(job, acting_user)
    if job.status != S.CHECKED:
        raise ValidationError("Việc nhập này không còn chờ quyết định.")
    # rows are numbered by the page (dong-<n>); any other key is not a decision (never a server error)
    clean = {
        str(int(k)): v
        for k, v in decisions.items()
        if k.isascii() and k.isdigit() and len(k) <= 9 and v in ("create", "update", "skip")
    }
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.decisions = {**job.decisions, **clean}
        job.status = S.UPLOADED
        job.save(update_fields=["decisions", "status"])
    return job


def _require_owner(job: ImportJob, user) -> None:
    if job.created_by_id != getattr(user, "pk", None):
        raise PermissionDenied("Chỉ người tải tệp lên mới ghi được lần nhập này.")
    require(user, perm_for(job.kind), job.unit)


def can_commit(job: ImportJob) -> bool:
    counts = job.counts
    return job.status == S.CHECKED and (counts.get("create", 0) + counts.get("update", 0)) > 0


def stale(job: ImportJob) -> bool:
    started = job.started_at.timestamp() if job.started_at else None
    return job.running and progress.stale(job.pk, started)


def begin_commit(job: ImportJob, *, acting_user) -> ImportJob:
    """Mark the job as being committed (so it is not committed twice); the writing is `commit`."""
    _require_owner(job, acting_user)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not (can_commit(job) or (job.status == S.COMMITTING and stale(job))):
            raise ValidationError("Không có gì để ghi, hoặc việc nhập này đã được ghi.")
        job.status, job.started_at, job.error = S.COMMITTING, timezone.now(), ""
        job.save(update_fields=["status", "started_at", "error"])
    progress.write(job.pk, "commit", 0, job.counts.get("create", 0) + job.counts.get("update", 0))
    return job


def commit(job_id: int) -> ImportJob:
    """Write the accepted rows, the job's status and the audit row in one transaction. On a conflict (the data
    changed since the preview) nothing is written and the job says which row; it can be checked again."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    rows = job.result.get("rows", [])
    note = note_for(job.filename, job.sha256)
    total = job.counts.get("create", 0) + job.counts.get("update", 0)

    def tick(done, _total):
        progress.write(job.pk, "commit", done, total)

    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != S.COMMITTING:
                raise ValidationError("Việc nhập này không ở trạng thái chờ ghi.")
            written = apply_rows(job.kind, rows, user=job.created_by, today=timezone.localdate(), note=note,
                                 progress_fn=tick)  # fmt: skip
            counts = job.counts
            audit(
                actor=job.created_by,
                action=f"import.{job.kind}",
                obj=job,
                unit=job.unit,
                summary=f"Nhập tệp {job.filename}: {written['create']} tạo mới, {written['update']} cập nhật, "
                f"{counts.get('unchanged', 0)} không đổi, {counts.get('rejected', 0)} bị loại",
                after={"sha256": job.sha256, "filename": job.filename, "counts": counts,
                       "created": written["create"], "updated": written["update"]},
            )  # fmt: skip
            ImportJob.objects.filter(pk=job.pk).update(
                status=S.COMMITTED, committed_at=timezone.now(), written={k: v for k, v in written.items()}
            )
    except persons.Conflict as exc:
        _mark(job.pk, status=S.FAILED, error=f"{exc} Không có dòng nào được ghi; hãy kiểm tra lại tệp.")
    except ValidationError as exc:
        _mark(job.pk, status=S.FAILED, error=" ".join(exc.messages) + " Không có dòng nào được ghi.")
    except Exception:  # a bug or a lost database: the transaction rolled back, nothing is written
        log.exception("import %s failed", job.pk)
        _mark(
            job.pk, status=S.FAILED, error="Có lỗi khi ghi; không có dòng nào được ghi. Hãy kiểm tra lại tệp."
        )
    progress.clear(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def recheck(job: ImportJob, *, acting_user, encoding: str | None = None) -> ImportJob:
    """Back to the preview: after a failed commit, a stopped run or with another encoding."""
    _require_owner(job, acting_user)
    if job.status == S.COMMITTED or (job.running and not stale(job)):
        raise ValidationError("Việc nhập này đang chạy hoặc đã được ghi.")
    fields = ["status"]
    job.status = S.UPLOADED
    if encoding is not None:
        job.encoding = encoding
        fields.append("encoding")
    job.save(update_fields=fields)
    return job


def already_committed(job: ImportJob):
    """An earlier committed import of the same file into the same unit (re-importing changes nothing)."""
    return (
        ImportJob.objects.filter(sha256=job.sha256, unit=job.unit, kind=job.kind, status=S.COMMITTED)
        .exclude(pk=job.pk)
        .order_by("-committed_at")
        .first()
    )


# ---------------------------------------------------------------------------------------------- now or later


def check_now_or_later(job: ImportJob) -> None:
    """Small files are checked in the request; large ones by the worker (the page shows a progress bar)."""
    from ketnap.exchange import tasks

    if row_count(job) > background_rows():
        ImportJob.objects.filter(pk=job.pk).update(
            background=True, status=S.CHECKING, started_at=timezone.now()
        )
        progress.write(job.pk, "check", 0, 0)
        tasks.check_import.enqueue(job.pk)
    else:
        check(job.pk)


def commit_now_or_later(job: ImportJob) -> ImportJob:
    from ketnap.exchange import tasks

    if job.background or job.counts.get("rows", 0) > background_rows():
        tasks.commit_import.enqueue(job.pk)
        return job
    return commit(job.pk)
