"""Pages of the requests between organisations: the inbox ("Việc cần làm"), the escalation view, the list
of requests, one request with its next steps, new requests from the person page, the graduation batch and
its printable letters, the ward's yearly letters, the quarterly list and the mentors.

Thin: parse input, fetch objects through interorg.queries / orgs.queries (scoped; 404 out of scope), call
ONE action, render. Role checks answer 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import scope_paths
from ketnap.core.exports import export, xlsx_response
from ketnap.core.paging import MAX_ID, bounded_int, order_table, page_number, paginate_table
from ketnap.core.perform import already_sent, run_action
from ketnap.interorg import actions, queries, reminders
from ketnap.interorg.filters import RequestFilter
from ketnap.interorg.forms import VERBS, HoldForm, NewRequestForm, allowed_verbs, build_verb_form
from ketnap.interorg.models import Kind, Rating, Status
from ketnap.interorg.tables import COLUMNS, RequestTable
from ketnap.orgs import queries as org_queries
from ketnap.people import actions as people_actions
from ketnap.people.forms import VNDateField
from ketnap.people.templatetags.ketnap_tags import format_dmy

PER_PAGE = 50
QUARTERLY_PER_PAGE = 50  # as every list (the page renders in about half the time of 100 rows)
NEW_KINDS = {
    "tham-tra": Kind.VERIFICATION,
    "chuyen-sinh-hoat": Kind.TRANSFER,
    "gioi-thieu": Kind.INTRODUCTION,
}
KIND_SLUGS = {v: k for k, v in NEW_KINDS.items()}


def _int(value, default=None):
    """An integer a database column holds (at most 19 digits), else ``default``."""
    return bounded_int(value, default, low=-MAX_ID)


def _unit_param(request, name="unit"):
    pk = request.GET.get(name) or request.POST.get(name)
    return org_queries.unit_for(request.user, pk) if pk else None


def _top_unit(user):
    """The highest unit the user may see (the default of the escalation and the quarterly list)."""
    options = org_queries.unit_options(user)
    if not options:
        raise Http404("Không có tổ chức nào trong phạm vi của bạn.")
    return org_queries.unit_for(user, options[0][0])


# ------------------------------------------------------------------------------------------ inbox


def inbox(request):
    today = timezone.localdate()
    category = request.GET.get("loai", "")
    if category not in queries.CATEGORY_LABELS:
        category = ""
    overdue_only = request.GET.get("qua-han") == "1"
    unit = _unit_param(request)
    page = page_number(request.GET.get("trang"))
    if request.GET.get("export") == "xlsx":
        data = queries.inbox(request.user, today, category=category, overdue_only=overdue_only, unit=unit,
                             page=1, per_page=5000)  # fmt: skip
        rows = ([i, item.due, "Quá hạn" if item.due and item.due < today else "", item.category_label, item.title,
                 item.person_name, item.unit_name, item.detail] for i, item in enumerate(data.items, start=1))  # fmt: skip
        return xlsx_response(f"Việc cần làm {today:%d-%m-%Y}.xlsx",
                             ["STT", "Hạn", "Tình trạng", "Nhóm việc", "Việc", "Họ và tên", "Đơn vị", "Chi tiết"],
                             rows, sheet_name="Việc cần làm", widths=[6, 12, 10, 30, 50, 26, 36, 60])  # fmt: skip
    data = queries.inbox(request.user, today, category=category, overdue_only=overdue_only, unit=unit, page=page,
                         per_page=PER_PAGE)  # fmt: skip
    context = {
        "data": data,
        "today": today,
        "category": category,
        "overdue_only": overdue_only,
        "unit": unit,
        "categories": [(c, label, data.counts.get(c, 0)) for c, label in queries.CATEGORIES],
        "unit_options": org_queries.unit_options(request.user, unit),
        "can_admin": org_queries.is_root_admin(request.user),  # the reminder sweeps are the city's
    }
    template = "interorg/inbox.html"
    if request.htmx and request.htmx.target == "inbox-results":
        template += "#results"
    return render(request, template, context)


def escalation(request):
    today = timezone.localdate()
    unit = _unit_param(request) or _top_unit(request.user)
    rows = queries.escalation(request.user, today, unit)
    overdue = queries.inbox(request.user, today, overdue_only=True, unit=unit, per_page=30)
    unreceived = (
        queries.unreceived_transfers(request.user, today)
        .filter(receiver__path__startswith=unit.path)
        .select_related("person", "sender", "receiver")
        .order_by("sent_on")[:100]
    )
    return render(request, "interorg/escalation.html", {
        "unit": unit, "rows": rows, "columns": queries.ESCALATION_COLUMNS, "overdue": overdue, "today": today,
        "unreceived": unreceived, "unit_options": org_queries.unit_options(request.user, unit),
        "total": sum(r.total for r in rows),
    })  # fmt: skip


# ------------------------------------------------------------------------------------------ requests


def request_list(request):
    today = timezone.localdate()
    filterset = RequestFilter(request.GET or None, request=request, today=today)
    qs = filterset.qs.select_related("person", "sender", "receiver")
    table = RequestTable(qs, today=today)
    if request.GET.get("export") == "xlsx":
        order_table(request, table)
        headers, widths, rows = export(table.data.data, COLUMNS, today=today)
        return xlsx_response(f"Văn bản liên tổ chức {today:%d-%m-%Y}.xlsx", headers, rows, sheet_name="Văn bản",
                             widths=widths)  # fmt: skip
    order_table(request, table)  # ordering from the request
    paginate_table(request, table, PER_PAGE)
    template = "interorg/list.html"
    if request.htmx and request.htmx.target == "request-table":
        template += "#results"
    return render(request, template, {
        "filter": filterset, "table": table, "today": today,
        "unit_options": org_queries.unit_options(request.user, request.GET.get("unit")),
        "selected": {k: request.GET.get(k, "") for k in ("q", "kind", "status", "due", "side", "unit")},
    })  # fmt: skip


STALE = (
    "Văn bản này vừa được người khác thay đổi từ khi bạn mở trang; trang dưới đây là tình trạng hiện tại. "
    "Hãy xem lại rồi thực hiện lại nếu vẫn cần."
)


def _detail_context(request, req, bound=None):
    today = timezone.localdate()
    side = queries.side_of(request.user, req)
    sender_perms = user_perms(request.user, req.sender)
    answering = req.receiver or req.sender
    receiver_perms = user_perms(request.user, answering)
    verbs = allowed_verbs(req, side, Perm.PREPARE in sender_perms, Perm.PREPARE in receiver_perms)
    forms_ = []
    for slug in verbs:
        if bound is not None and bound[0] == slug:
            form = bound[1]
        else:
            form = build_verb_form(slug, req, user=request.user, today=today)
        forms_.append({"slug": slug, "form": form, "title": VERBS[slug][2], "button": VERBS[slug][3],
                       "danger": slug in ("tra-lai", "huy"), "confirm": confirm_text(slug, req)})  # fmt: skip
    return {
        "req": req, "today": today, "forms": forms_, "side": side,
        "overdue": req.is_overdue(today), "citation": _citation(req),
        "person_visible": bool(scope_paths(request.user)) and _person_visible(request.user, req),
    }  # fmt: skip


def confirm_text(slug: str, req) -> str:
    """The question asked before a step that cannot be undone (empty: no question)."""
    what = (
        f"{req.get_kind_display().lower()}"
        + (f" số {req.number}" if req.number else "")
        + f" về {req.person.full_name}"
    )
    if slug == "gui":
        return (f"Gửi {what} cho {req.receiver_name}? Văn bản đã gửi không sửa được; muốn thu hồi phải hủy "
                "kèm lý do.")  # fmt: skip
    if slug == "tra-lai":
        return (f"Trả lại {what} cho {req.sender.name}? Văn bản sẽ kết thúc, không hoàn tác được; nơi gửi phải "
                "lập văn bản mới.")  # fmt: skip
    if slug == "huy":
        return f"Hủy {what}? Văn bản sẽ kết thúc, không hoàn tác được."
    if slug == "tra-loi":
        return f"Ghi trả lời {what}? Văn bản sẽ kết thúc và câu trả lời được ghi vào hồ sơ của người này."
    if slug == "xac-nhan":
        return (f"Xác nhận tiếp nhận {req.person.full_name}? Từ ngày tiếp nhận, người này sinh hoạt ở chi bộ đã "
                "chọn; không hoàn tác được.")  # fmt: skip
    return ""


def _citation(req) -> str:
    from ketnap.interorg.deadlines import citation

    return citation(req.due_rule, req.sent_on) if req.due_rule and req.sent_on else ""


def _person_visible(user, req) -> bool:
    from ketnap.accounts.scoping import path_in_scope

    return path_in_scope(req.person.unit.path, user)


def request_detail(request, pk):
    req = queries.request_for(request.user, pk)
    return render(request, "interorg/detail.html", _detail_context(request, req))


@require_POST
def request_act(request, pk, verb):
    req = queries.request_for(request.user, pk)
    if verb not in VERBS:
        raise Http404("Không có thao tác này.")
    repeated = already_sent(request, reverse("request-detail", args=[req.pk]))
    if repeated is not None:
        return repeated
    context = _detail_context(request, req)
    if verb not in [f["slug"] for f in context["forms"]]:
        raise PermissionDenied("Bạn không được thực hiện thao tác này với văn bản này.")
    today = timezone.localdate()
    form = build_verb_form(verb, req, user=request.user, today=today, data=request.POST)
    if form.is_valid():

        def done(_) -> str:
            req.refresh_from_db()
            return f"{VERBS[verb][2]}: đã ghi. Tình trạng: {req.get_status_display()}."

        version = request.POST.get("version", "")[:64]

        def act():
            with transaction.atomic():  # the version is compared under the request's lock
                actions.check_version(req, version, STALE)
                return form.perform(req)

        response = run_action(request, act, form=form, success=done,
                              to=reverse("request-detail", args=[req.pk]))  # fmt: skip
        if response is not None:
            return response
    req = queries.request_for(request.user, pk)
    return render(request, "interorg/detail.html", _detail_context(request, req, bound=(verb, form)))


@require_http_methods(["GET", "POST"])
def request_new(request, kind):
    if kind not in NEW_KINDS:
        raise Http404("Không có loại văn bản này.")
    kind = NEW_KINDS[kind]
    person = queries.person_for(request.user, request.GET.get("person") or request.POST.get("person"))
    if not any(Perm.PREPARE in user_perms(request.user, u) for u in [*person.unit.ancestors(), person.unit]):
        raise PermissionDenied("Vai trò của bạn không được phép lập văn bản về người này.")
    today = timezone.localdate()
    form = NewRequestForm(request.POST or None, kind=kind, person=person, user=request.user, today=today)
    if request.method == "POST" and form.is_valid():
        response = run_action(
            request, lambda: form.perform(send=request.POST.get("action") != "draft"), form=form,
            success=lambda req: f"{'Đã gửi' if req.status == Status.SENT else 'Đã lưu dự thảo'} "
            f"{req.get_kind_display().lower()} về {person.full_name}.",
            to=lambda req: reverse("request-detail", args=[req.pk]),
        )  # fmt: skip
        if response is not None:
            return response
    return render(request, "interorg/new.html", {"form": form, "person": person, "kind": kind,
                                                 "kind_label": Kind(kind).label, "slug": KIND_SLUGS[kind]})  # fmt: skip


def request_letter(request, pk):
    req = queries.request_for(request.user, pk)
    if req.status == Status.DRAFT:
        raise Http404("Văn bản chưa gửi.")
    return render(request, "interorg/letter.html", {"letters": [req], "title": str(req)})


# ------------------------------------------------------------------------------------------ graduation batch


@require_http_methods(["GET", "POST"])
def graduation(request):
    today = timezone.localdate()
    unit = _unit_param(request)
    within = min(365, max(0, _int(request.GET.get("trong") or request.POST.get("trong"), 60)))
    context = {
        "unit": unit,
        "within": within,
        "today": today,
        "unit_options": org_queries.unit_options(request.user, unit),
    }
    if unit is None:
        return render(request, "interorg/graduation.html", context)
    sender = unit.grassroots() or unit
    can_send = Perm.PREPARE in user_perms(request.user, sender)
    candidates = list(queries.graduates_to_transfer(request.user, unit, today, within)[:500])
    receivers = queries.receiver_options(Kind.TRANSFER)
    context.update(sender=sender, can_send=can_send, candidates=candidates, receivers=receivers,
                   my_roles=_roles_text(request.user))  # fmt: skip
    if request.method == "POST":
        if not can_send:
            raise PermissionDenied("Vai trò của bạn không được phép gửi giấy chuyển sinh hoạt.")
        by_id = {p.pk: p for p in candidates}
        rows, errors = [], []
        for pid in request.POST.getlist("person"):
            person = by_id.get(_int(pid))
            if person is None:
                continue
            receiver = queries.receiver_unit(request.POST.get(f"receiver_{person.pk}"))
            if receiver is None:
                errors.append(f"Chưa chọn nơi đến cho {person.full_name}.")
                continue
            rows.append({"person": person, "receiver": receiver, "trigger": "graduation",
                         "trigger_on": person.expected_graduation,
                         "temporary": request.POST.get(f"temporary_{person.pk}") == "1"})  # fmt: skip
        sent_on = _date(request.POST.get("sent_on")) or today
        if sent_on > today:
            errors.append("Ngày gửi không được sau ngày hôm nay.")
        if not rows and not errors:
            errors.append("Chưa chọn đảng viên nào.")
        context.update(rows=rows, errors=errors, sent_on=sent_on, selected={r["person"].pk for r in rows},
                       chosen={r["person"].pk: r["receiver"].pk for r in rows})  # fmt: skip
        if not errors and request.POST.get("action") == "send":
            try:
                batch = actions.send_batch(acting_user=request.user, kind=Kind.TRANSFER, sender=sender,
                                           sent_on=sent_on, rows=rows,
                                           title=f"Chuyển sinh hoạt đảng viên tốt nghiệp — {sender.name}, {sent_on:%d/%m/%Y}")  # fmt: skip
            except ValidationError as exc:
                context["errors"] = exc.messages
            else:
                messages.success(request, f"Đã gửi {len(rows)} giấy giới thiệu chuyển sinh hoạt đảng.")
                return redirect("batch-detail", pk=batch.pk)
        elif not errors:
            year = sent_on.year
            first, _ = actions._next_number(sender, Kind.TRANSFER, year)
            context["preview"] = [
                (row, f"{first + i}-{actions.NUMBER_PREFIX[Kind.TRANSFER]}/{sender.code}")
                for i, row in enumerate(rows)
            ]
    return render(request, "interorg/graduation.html", context)


def _roles_text(user) -> str:
    """The user's roles in words ("Bí thư chi bộ — Chi bộ Sinh viên …"), to say why a step is not theirs."""
    from ketnap.accounts.roles import Role

    rows = user.roles.select_related("unit").order_by("unit__path", "role")
    return "; ".join(f"{Role(ra.role).label} — {ra.unit.name}" for ra in rows)


def _date(text):
    field = VNDateField(required=False)
    try:
        return field.clean(text)
    except ValidationError:
        return None


def batch_detail(request, pk):
    batch = queries.batch_for(request.user, pk)
    return render(request, "interorg/batch.html", {"batch": batch, "requests": queries.batch_requests(batch),
                                                   "today": timezone.localdate()})  # fmt: skip


def batch_print(request, pk):
    batch = queries.batch_for(request.user, pk)
    return render(request, "interorg/letter.html", {"letters": list(queries.batch_requests(batch)),
                                                    "title": batch.title})  # fmt: skip


# ------------------------------------------------------------------------------------------ the ward's letters


@require_http_methods(["GET", "POST"])
def ward_letters(request):
    today = timezone.localdate()
    wards = queries.wards_of(request.user)
    ward = None
    pk = _int(request.GET.get("phuong") or request.POST.get("phuong"))
    if pk:
        ward = next((w for w in wards if w.pk == pk), None)
        if ward is None:
            raise Http404("Không tìm thấy phường trong phạm vi của bạn.")
    elif len(wards) == 1:
        ward = wards[0]
    kind = request.GET.get("loai") or request.POST.get("loai") or Kind.WARD_EVALUATION
    if kind not in (Kind.WARD_EVALUATION, Kind.RESIDENCE_NOTICE):
        kind = Kind.WARD_EVALUATION
    context = {"wards": wards, "ward": ward, "kind": kind, "kind_label": Kind(kind).label, "today": today,
               "ratings": Rating.choices[1:],
               "kinds": [(Kind.WARD_EVALUATION, Kind.WARD_EVALUATION.label),
                         (Kind.RESIDENCE_NOTICE, Kind.RESIDENCE_NOTICE.label)]}  # fmt: skip
    if ward is None:
        return render(request, "interorg/ward_letters.html", context)
    can_send = Perm.PREPARE in user_perms(request.user, ward)
    school = _int(request.GET.get("truong") or request.POST.get("truong"))
    residents = list(queries.ward_residents(ward, school_id=school)[:300])
    context.update(can_send=can_send, residents=residents, school=school,
                   schools=queries.ward_school_options(ward), my_roles=_roles_text(request.user))  # fmt: skip
    if request.method == "POST":
        if not can_send:
            raise PermissionDenied("Vai trò của bạn không được phép gửi văn bản của phường.")
        by_id = {p.pk: p for p in residents}
        rows = []
        for pid in request.POST.getlist("person"):
            person = by_id.get(_int(pid))
            if person is None:
                continue
            rating = request.POST.get(f"rating_{person.pk}", "") if kind == Kind.WARD_EVALUATION else ""
            rows.append({"person": person, "content": request.POST.get(f"content_{person.pk}", "")[:4000],
                         "rating": rating if rating in Rating.values else ""})  # fmt: skip
        sent_on = _date(request.POST.get("sent_on")) or today
        try:
            if sent_on > today:
                raise ValidationError("Ngày gửi không được sau ngày hôm nay.")
            batch = actions.send_batch(acting_user=request.user, kind=kind, sender=ward, sent_on=sent_on, rows=rows,
                                       title=f"{Kind(kind).label} — {ward.name}, {sent_on:%d/%m/%Y}")  # fmt: skip
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            messages.success(request, f"Đã gửi {len(rows)} văn bản về các trường.")
            return redirect("batch-detail", pk=batch.pk)
    return render(request, "interorg/ward_letters.html", context)


# ------------------------------------------------------------------------------------------ quarterly list


def quarterly(request):
    today = timezone.localdate()
    year, quarter = queries.quarter_of(today)
    year = _int(request.GET.get("nam"), year)
    quarter = _int(request.GET.get("quy"), quarter)
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise Http404("Quý không hợp lệ.")
    unit = _unit_param(request)
    qs = queries.quarterly(request.user, year, quarter, unit)
    start, end = queries.quarter_bounds(year, quarter)
    if request.GET.get("export") == "xlsx":
        headers = ["STT", "Họ và tên", "Ngày sinh", "Trường", "Ngày tốt nghiệp", "Nơi chuyển đi", "Số giấy giới thiệu",
                   "Ngày gửi", "Nơi chuyển đến", "Tình trạng", "Ngày xác nhận", "Chi bộ tiếp nhận", "Ghi chú"]  # fmt: skip
        data = ([i, r.person.full_name, r.person.birth_date, r.person.school.name if r.person.school else "",
                 r.person.expected_graduation, r.sender.name, r.number, r.sent_on, r.receiver_name,
                 r.get_status_display(), r.closed_on if r.status == Status.CONFIRMED else None,
                 r.into.name if r.into else "", r.reason or r.answer]
                for i, r in enumerate(qs.iterator(chunk_size=2000), start=1))  # fmt: skip
        return xlsx_response(f"Danh sách đảng viên tốt nghiệp chuyển sinh hoạt quý {quarter}-{year}.xlsx", headers,
                             data, sheet_name=f"Quý {quarter} năm {year}",
                             widths=[6, 26, 12, 34, 14, 36, 18, 12, 36, 22, 14, 36, 30])  # fmt: skip
    # the quarter's numbers in one aggregate; its rows a page at a time (a city sends thousands of letters in
    # the quarter after the June graduations)
    summary = queries.quarterly_summary(qs)
    page = Paginator(qs, QUARTERLY_PER_PAGE, allow_empty_first_page=True)
    page.count = summary["total"]  # (known: no second count)
    page = page.get_page(page_number(request.GET.get("trang")))
    groups: dict[str, list] = {}
    for r in page.object_list:
        groups.setdefault(r.receiver_name, []).append(r)
    return render(request, "interorg/quarterly.html", {
        "year": year, "quarter": quarter, "start": start, "end": end, "groups": groups, "page": page,
        "total": summary["total"], "receivers": summary["receivers"], "confirmed": summary["confirmed"],
        "unit": unit, "unit_options": org_queries.unit_options(request.user, unit),
        "years": list(range(today.year, today.year - 6, -1)), "today": today,
    })  # fmt: skip


# ------------------------------------------------------------------------------------------ mentors


def mentors(request):
    unit = _unit_param(request)
    without = queries.without_mentor(request.user, unit)
    page = page_number(request.GET.get("trang"))
    total = without.count()
    rows = list(without[(page - 1) * PER_PAGE : page * PER_PAGE])
    options: dict[int, list] = {}
    for person in rows:
        if person.unit_id not in options:
            options[person.unit_id] = queries.cell_mentor_options(request.user, person.unit)
        person.mentor_choices = options[person.unit_id]
        person.can_assign = Perm.PREPARE in user_perms(request.user, person.unit)
    return render(request, "interorg/mentors.html", {
        "unit": unit, "without": rows, "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)),
        "mentors": list(queries.mentors(request.user, unit)[:200]), "today": timezone.localdate(),
        "unit_options": org_queries.unit_options(request.user, unit),
    })  # fmt: skip


def mentor_detail(request, pk):
    mentor = queries.mentor_for(request.user, pk)
    return render(request, "interorg/mentor_detail.html", {"mentor": mentor,
                                                           "mentees": queries.mentees_of(request.user, mentor)})  # fmt: skip


@require_POST
def assign_mentor(request, pk):
    person = queries.person_for(request.user, pk)
    if Perm.PREPARE not in user_perms(request.user, person.unit):
        raise PermissionDenied("Vai trò của bạn không được phép phân công đảng viên giúp đỡ.")
    mentor = queries.mentor_for(request.user, request.POST.get("mentor"))
    day = _date(request.POST.get("occurred_on")) or timezone.localdate()
    return run_action(request, lambda: people_actions.assign_mentor(person, mentor, acting_user=request.user,
                                                                    occurred_on=day),
                      success=f"Đã phân công {mentor.full_name} giúp đỡ {person.full_name}.",
                      to=_safe_next(request, reverse("mentors")))  # fmt: skip


def _safe_next(request, default: str) -> str:
    """The `next` address of a form, only when it points into this site (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())  # fmt: skip
    return target if target and ok else default


# ------------------------------------------------------------------------------------------ graduates held


@require_POST
def hold_graduate(request, pk):
    person = queries.person_for(request.user, pk)
    if Perm.PREPARE not in user_perms(request.user, person.unit.grassroots() or person.unit):
        raise PermissionDenied("Việc giữ sinh hoạt đảng do đảng ủy cơ sở quyết định.")
    form = HoldForm(request.POST, user=request.user, today=timezone.localdate(), prefix_id="hold")
    to = reverse("person-detail", args=[person.pk])
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect(to)
    return run_action(request, lambda: form.perform(person), to=to,
                      success=lambda event: f"Đã ghi: giữ sinh hoạt đảng đến {format_dmy(event.data['until'])}.")  # fmt: skip


def hold_form(user, today):
    return HoldForm(user=user, today=today, prefix_id="hold")


# ------------------------------------------------------------------------------------------ reminders


@require_http_methods(["GET", "POST"])
def reminder_runs(request):
    """The reminder sweeps on the background queue (state and result), and a button to run one now. The sweep
    is city-wide and the page lists every user's digest: an administrator at the root of the tree only."""
    if not org_queries.is_root_admin(request.user):
        raise PermissionDenied("Chỉ quản trị cấp thành phố mới xem và chạy nhắc việc.")
    if request.method == "POST":
        task = reminders.enqueue()
        messages.success(
            request, f"Đã đưa lượt nhắc việc #{task.pk} vào hàng đợi; máy chạy nền sẽ thực hiện."
        )
        return redirect("reminder-runs")
    return render(request, "interorg/reminders.html", {"tasks": reminders.recent_tasks(), "digests": reminders.recent_digests()})  # fmt: skip
