"""Import pages: the templates, the upload form of a unit, the job (progress bar, preview row by row, decisions
on possible duplicates, commit) and the rejected rows as a workbook. Thin: the jobs are fetched in the user's
scope (404), the role is checked (403), and ONE action of `exchange.actions` runs (or is queued)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketnap.accounts.permissions import user_can
from ketnap.core.exports import XLSX_CONTENT_TYPE, content_disposition
from ketnap.exchange import actions, progress, queries, workbook
from ketnap.exchange.columns import KINDS
from ketnap.exchange.models import ImportJob
from ketnap.exchange.reading import ENCODINGS, MAX_BYTES
from ketnap.orgs import queries as org_queries

S = ImportJob.Status
STATUS_LABELS = {
    "create": "Tạo mới",
    "update": "Cập nhật",
    "unchanged": "Không đổi",
    "duplicate": "Có thể trùng",
    "rejected": "Bị loại",
}
PER_PAGE = 100


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel hoặc CSV",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}),
        error_messages={"required": "Hãy chọn tệp để nhập."},
    )
    encoding = forms.ChoiceField(
        label="Bảng mã (chỉ với tệp CSV)",
        choices=ENCODINGS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise ValidationError(f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB; hãy chia thành nhiều tệp.")
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise ValidationError("Chỉ nhận tệp .xlsx, .xls hoặc .csv.")
        return f


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404("Không có loại dữ liệu này.")
    return kind


def template_download(request, kind):
    response = HttpResponse(workbook.template(_kind(kind)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(workbook.TEMPLATE_NAMES[kind])
    return response


def home(request):
    jobs = queries.jobs_for(request.user)[:50]
    return render(request, "exchange/home.html", {"jobs": jobs, "kinds": KINDS})


def new(request, pk, kind):
    unit = org_queries.unit_for(request.user, pk)
    kind = _kind(kind)
    if not user_can(request.user, actions.perm_for(kind), unit) or unit.dissolved_on is not None:
        raise PermissionDenied("Vai trò của bạn không nhập được loại dữ liệu này tại đơn vị này.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = actions.start(acting_user=request.user, unit=unit, kind=kind, filename=upload.name,
                                data=upload.read(), encoding=form.cleaned_data["encoding"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            actions.check_now_or_later(job)
            return redirect("import-job", job.pk)
    recent = queries.jobs_for(request.user).filter(unit=unit, kind=kind)[:10]
    return render(request, "exchange/new.html", {
        "unit": unit, "kind": kind, "kind_label": KINDS[kind], "form": form, "recent": recent,
        "background_rows": actions.background_rows(),
    })  # fmt: skip


def _job(request, pk) -> ImportJob:
    return queries.job_for(request.user, pk)


def job_page(request, pk):
    job = _job(request, pk)
    rows = job.result.get("rows", [])
    shown = request.GET.get("loai", "")
    if shown in STATUS_LABELS:
        rows = [r for r in rows if r["status"] == shown]
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("trang"))
    counts = job.counts
    return render(request, "exchange/job.html", {
        "job": job,
        "page": page,
        "shown": shown,
        "status_labels": STATUS_LABELS,
        "counts": counts,
        "filters": [(key, label, counts.get(key, 0)) for key, label in STATUS_LABELS.items()],
        "progress": progress.read(job.pk) if job.running else {},
        "stale": actions.stale(job),
        "owner": job.created_by_id == request.user.pk,
        "can_commit": actions.can_commit(job) and job.created_by_id == request.user.pk,
        "earlier": actions.already_committed(job) if job.status == S.CHECKED else None,
        "duplicates": [r for r in job.result.get("rows", []) if r["status"] == "duplicate" or r["payload"].get("skip")],
        "encodings": ENCODINGS,
        "not_imported": counts.get("rejected", 0) + counts.get("duplicate", 0),
    })  # fmt: skip


def job_progress(request, pk):
    """The progress bar (polled by htmx); a finished job sends the browser back to the full page."""
    job = _job(request, pk)
    if not job.running or actions.stale(job):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exchange/_progress.html", {"job": job, "progress": progress.read(job.pk)})


@require_POST
def job_commit(request, pk):
    job = _job(request, pk)
    try:
        job = actions.begin_commit(job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("import-job", job.pk)
    job = actions.commit_now_or_later(job)
    if job.status == S.COMMITTED:
        written = job.written
        messages.success(
            request, f"Đã ghi: {written.get('create', 0)} tạo mới, {written.get('update', 0)} cập nhật."
        )
    return redirect("import-job", job.pk)


@require_POST
def job_decide(request, pk):
    job = _job(request, pk)
    decisions = {
        key.removeprefix("dong-"): value for key, value in request.POST.items() if key.startswith("dong-")
    }
    try:
        job = actions.decide(job, acting_user=request.user, decisions=decisions)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        actions.check_now_or_later(job)
    return redirect("import-job", job.pk)


@require_POST
def job_recheck(request, pk):
    job = _job(request, pk)
    encoding = request.POST.get("encoding")
    if encoding is not None and encoding not in dict(ENCODINGS):
        encoding = None
    try:
        job = actions.recheck(job, acting_user=request.user, encoding=encoding)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        actions.check_now_or_later(job)
    return redirect("import-job", job.pk)


def job_rejects(request, pk):
    job = _job(request, pk)
    response = HttpResponse(workbook.rejects(job.result), content_type=XLSX_CONTENT_TYPE)
    stem = job.filename.rsplit(".", 1)[0]
    response["Content-Disposition"] = content_disposition(f"{stem} - dòng không nhập.xlsx")
    response["Cache-Control"] = "no-store"
    return response


def list_url(job: ImportJob) -> str:
    return reverse("person-list") + f"?unit={job.unit_id}"
