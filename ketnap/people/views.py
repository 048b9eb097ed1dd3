"""People pages: home, list (+ Excel export), pipeline board, person page, recording a step, a new source.

The home page shows the user's pipeline at a glance and what there is to do, most urgent first (the inbox's
first items, its overdue count and the letters waiting: `interorg_tags.home_inbox`, the inbox's own queries).

Thin: parse input, fetch objects through people.queries / orgs.queries (scoped; 404 out of scope),
call ONE action, render. Role checks answer 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.core.audit import read_log
from ketnap.core.exports import export, xlsx_response
from ketnap.core.paging import COUNT_CAP, SEARCH_COUNT_CAP, order_table, paginate_table
from ketnap.core.perform import run_action
from ketnap.orgs import queries as org_queries
from ketnap.people import actions, ledger, queries, search
from ketnap.people.filters import PersonFilter
from ketnap.people.forms import (
    ACTIONS,
    PermissionContext,
    PersonEditForm,
    SourceForm,
    VoidForm,
    build_form,
    offered_kinds,
)
from ketnap.people.models import CLOSED_STAGES, PIPELINE_STAGES, Stage
from ketnap.people.tables import COLUMNS, PersonTable

PER_PAGE = 50
BOARD_CARDS = 20


def _htmx_target(request) -> str | None:
    return request.htmx.target if request.htmx else None


# ------------------------------------------------------------------------------------------ list


def person_list(request):
    today = timezone.localdate()
    # a common name is read in the list's order and counted through the search index (people.search.dense)
    dense = search.dense(
        request.GET.get("q", ""),
        scoped=lambda: PersonFilter(request.GET or None, request=request, today=today).qs,
        limit=SEARCH_COUNT_CAP + 1,
    )
    filterset = PersonFilter(request.GET or None, request=request, today=today, search_by_order=dense)
    qs = filterset.qs.select_related("unit", "school")
    table = PersonTable(qs, today=today)
    if request.GET.get("export") == "xlsx":
        order_table(request, table)
        headers, widths, rows = export(table.data.data, COLUMNS)
        return xlsx_response(f"Danh sách người {today:%d-%m-%Y}.xlsx", headers, rows, sheet_name="Danh sách",
                             widths=widths)  # fmt: skip
    order_table(request, table)  # ordering from the request
    searched = bool(search.words(request.GET.get("q", "")))
    if searched and connection.vendor == "postgresql" and not request.GET.get(table.prefixed_order_by_field):
        # the first matches in the list's order, at most the capped count's rows (search.first_in_order)
        table = PersonTable(search.first_in_order(qs, SEARCH_COUNT_CAP + 1, dense=dense), today=today)
    # (SQLite counts a dense search through the FTS index; PostgreSQL counts the ids `first_in_order` read, up to
    # the cap: a count through the GIN index would build the bitmap of every match)
    by_index = dense and connection.vendor == "sqlite"
    counted = PersonFilter(request.GET, request=request, today=today).qs if by_index else None
    paginate_table(
        request, table, PER_PAGE, cap=SEARCH_COUNT_CAP if searched else COUNT_CAP, count_queryset=counted
    )
    context = {
        "filter": filterset,
        "table": table,
        "today": today,
        "unit_options": org_queries.unit_options(request.user, request.GET.get("unit")),
        "school_options": org_queries.school_options(request.user, request.GET.get("school")),
        "selected": {
            name: request.GET.get(name, "") for name in ("q", "stage", "unit", "school_role", "school", "due")
        },  # fmt: skip
    }
    template = "people/list.html"
    partial = _htmx_target(request) == "person-table"
    if partial:
        template += "#results"
    response = render(request, template, context)
    if partial:
        # The address bar shows only the conditions in use (htmx would push every empty field).
        kept = [(key, value) for key, values in request.GET.lists() for value in values if value]
        response["HX-Push-Url"] = request.path + ("?" + urlencode(kept) if kept else "")
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# ------------------------------------------------------------------------------------------ board


def pipeline(request):
    unit = None
    if request.GET.get("unit"):
        unit = org_queries.unit_for(request.user, request.GET["unit"])
    columns = queries.board(request.user, unit, per_column=BOARD_CARDS)
    return render(request, "people/board.html", {
        "columns": columns,
        "unit": unit,
        "unit_options": org_queries.unit_options(request.user, unit),
        "today": timezone.localdate(),
        "total": sum(c.count for c in columns),
    })  # fmt: skip


# ------------------------------------------------------------------------------------------ person page


def person_detail(request, pk):
    person = queries.person_for(request.user, pk)
    if not request.htmx:
        read_log(
            request, "person.view", obj=person, unit=person.unit, summary=f"Xem hồ sơ {person.full_name}"
        )
    return _render_person(request, person)


def _render_person(request, person, bound=None):
    today = timezone.localdate()
    calendar = ledger.load_calendar()
    events = queries.events_of(person)
    page = queries.evaluate_page(person, events, today, calendar)
    perms = PermissionContext(request.user, person)
    offered = offered_kinds(person.stage, page.next_steps)
    action_forms = []
    for kind in offered:
        if not perms.allows(kind):
            continue
        if bound is not None and bound.kind == kind:
            form = bound
        else:
            form = build_form(kind, person=person, user=request.user, today=today)
        action_forms.append({"spec": ACTIONS[kind], "form": form})
    if bound is not None and all(item["form"] is not bound for item in action_forms):
        action_forms.insert(0, {"spec": ACTIONS[bound.kind], "form": bound})
    done_kinds = {e.kind for e in ledger.effective_events(events)}
    main = [f for f in action_forms if not f["spec"].danger]
    waiting = [ACTIONS[k] for k in offered if not perms.allows(k) and not ACTIONS[k].danger]
    # Steps already in the ledger (a document recorded, a class taken) stay available, folded away, so
    # the page opens on what is still to do. A bound form (with errors) is never folded.
    recorded = [f for f in main if f["form"].kind in done_kinds and f["form"] is not bound]
    if len(recorded) == len(main):  # everything offered is done already: keep the first open
        recorded = recorded[1:]
    return render(request, "people/detail.html", {
        "person": person,
        "events": events,
        "page": page,
        "today": today,
        "action_forms": [f for f in main if f not in recorded],
        "recorded_forms": recorded,
        "waiting": waiting,
        "checklist_open": [i for i in page.checklist if i.status != "ok"],
        "checklist_ok": [i for i in page.checklist if i.status == "ok"],
        "danger_forms": [f for f in action_forms if f["spec"].danger],
        "done_kinds": done_kinds,
        "can_edit": perms.allows("application"),
        "correctable": {e.pk for e in events if not actions.correctable(e) and perms.allows(e.kind)},
    })  # fmt: skip


def _vote_warning(event) -> str:
    """A vote's count of official members that differs from the cell's roster in the system."""
    data = event.data
    if event.kind not in ("cell_vote", "recognition_vote") or "roster" not in data:
        return ""
    if data.get("official_members") == data["roster"]:
        return ""
    return (
        f"Số đảng viên chính thức đã ghi ({data.get('official_members')}) khác danh sách trong hệ thống vào ngày "
        f"{event.occurred_on:%d/%m/%Y} ({data['roster']} người). Hãy kiểm tra lại; nếu ghi nhầm, hãy đính chính."
    )


def _perform(request, form, person):
    """Run the form's action (the rule book may refuse it: the refusal goes back on the form)."""

    def success(event) -> str:
        what = "Đã đính chính" if form.corrects is not None else "Đã ghi"
        if event.data.get("void"):
            what = "Đã khôi phục hồ sơ" if event.data.get("reinstated_on") else "Đã hủy bản ghi"
        return f"{what}: {event.get_kind_display()} ngày {event.occurred_on:%d/%m/%Y}."

    return run_action(request, form.perform, form=form, success=success,
                      warnings=lambda event: [w for w in [_vote_warning(event)] if w],
                      to=reverse("person-detail", args=[person.pk]))  # fmt: skip


@require_http_methods(["GET", "POST"])
def person_record(request, pk, kind):
    """Record one step (POST /nguoi/<pk>/ghi/<kind>/): the form re-renders with the rule book's refusal
    and its citation (status 200, HTMX swaps it), or redirects to the person page on success. Whatever the
    page offered, the action asks the rule book (a step out of order is refused, never recorded)."""
    person = queries.person_for(request.user, pk)
    if kind not in ACTIONS:
        raise Http404("Không có bước này.")
    if not PermissionContext(request.user, person).allows(kind):
        raise PermissionDenied("Vai trò của bạn không được phép ghi bước này.")
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = build_form(kind, person=person, user=request.user, today=today, data=data)
    if data is not None and form.is_valid():
        response = _perform(request, form, person)
        if response is not None:
            return response
    context = {
        "person": person,
        "form": form,
        "spec": ACTIONS[kind],
        "done_kinds": queries.event_kinds(person),
    }
    if request.htmx:
        return render(request, "people/detail.html#action-form", context)
    if data is None:
        return render(request, "people/record.html", context)
    return _render_person(request, person, bound=form)


@require_http_methods(["GET", "POST"])
def person_correct(request, pk, event_pk):
    """Correct or void one ledger entry (a new event, with a reason), by the role that may record it."""
    person = queries.person_for(request.user, pk)
    event = queries.event_of(person, event_pk)
    why = actions.correctable(event)
    perms = PermissionContext(request.user, person)
    if not why and not perms.allows(event.kind):
        raise PermissionDenied("Vai trò của bạn không được phép đính chính bản ghi này.")
    today = timezone.localdate()
    form = void_form = None
    if not why:
        posted = request.POST if request.method == "POST" else None
        which = posted.get("action") if posted is not None else None
        form = build_form(event.kind, person=person, user=request.user, today=today, corrects=event,
                          data=posted if which == "correct" else None)  # fmt: skip
        void_form = VoidForm(posted if which == "void" else None, event=event, user=request.user)
        bound = form if which == "correct" else void_form if which == "void" else None
        if bound is not None and bound.is_valid():
            response = _perform(request, bound, person)
            if response is not None:
                return response
    return render(request, "people/correct.html", {
        "person": person,
        "event": event,
        "why": why,
        "form": form,
        "void_form": void_form,
        "spec": ACTIONS.get(event.kind),
    })  # fmt: skip


# ------------------------------------------------------------------------------------------ new source


@require_http_methods(["GET", "POST"])
def add_source(request, pk):
    unit = org_queries.unit_for(request.user, pk)
    if Perm.PREPARE not in user_perms(request.user, unit):
        raise PermissionDenied("Vai trò của bạn không được phép thêm nguồn tại đơn vị này.")
    if not unit.is_cell:
        messages.warning(request, "Chỉ chi bộ mới quản lý nguồn phát triển đảng viên; hãy chọn một chi bộ.")
        return redirect("org-detail", pk=unit.pk)
    today = timezone.localdate()
    form = SourceForm(request.POST or None, unit=unit, user=request.user, today=today)
    if request.method == "POST" and form.is_valid():
        response = run_action(request, form.perform, form=form,
                              success=lambda person: f"Đã đưa {person.full_name} vào nguồn của {unit.name}.",
                              to=lambda person: reverse("person-detail", args=[person.pk]))  # fmt: skip
        if response is not None:
            return response
    return render(request, "people/source_form.html", {"unit": unit, "form": form})


# ------------------------------------------------------------------------------------------ edit particulars


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = queries.person_for(request.user, pk)
    if Perm.PREPARE not in user_perms(request.user, person.unit):
        raise PermissionDenied("Vai trò của bạn không được phép sửa thông tin người này.")
    form = PersonEditForm(request.POST or None, person=person, user=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        errors_before = person.error_count

        def new_errors(saved) -> list[str]:
            if saved.error_count <= errors_before:
                return []
            return [f"Sau khi sửa, hồ sơ có {saved.error_count} lỗi theo quy định (trước đó {errors_before}); "
                    "xem mục «Kiểm tra theo quy định» trên trang hồ sơ."]  # fmt: skip

        response = run_action(request, form.perform, form=form, success=f"Đã lưu thông tin của {person.full_name}.",
                              warnings=new_errors, to=reverse("person-detail", args=[person.pk]))  # fmt: skip
        if response is not None:
            return response
        if any(e.code == "stale" for e in form.non_field_errors().as_data()):
            # Someone changed the person meanwhile: show the current values, with the message.
            current = queries.person_for(request.user, pk)
            stale = form.non_field_errors()
            form = PersonEditForm(None, person=current, user=request.user, today=timezone.localdate())
            form.stale_errors = stale
    return render(request, "people/person_edit.html", {"person": person, "form": form})


# ------------------------------------------------------------------------------------------ home


def home(request):
    today = timezone.localdate()
    # (a nation-wide scope: its large stages estimated, "khoảng …")
    counts, estimated = queries.stage_counts_for(request.user)
    labels = dict(Stage.choices)
    stages = [(s, labels[s], counts.get(s, 0), s in estimated) for s in [*PIPELINE_STAGES, *CLOSED_STAGES]]
    members, pool = [Stage.PROBATIONARY, Stage.OFFICIAL], PIPELINE_STAGES[:6]

    def added(group):  # (a sum with an estimate in it: rounded to the thousand as well)
        n = sum(counts.get(s, 0) for s in group)
        return (round(n, -3), True) if estimated & set(group) else (n, False)

    (total, total_est), (members_n, members_est), (pool_n, pool_est) = (
        added(Stage.values),
        added(members),
        added(pool),
    )
    return render(request, "core/home.html", {
        "today": today,
        "stages": stages,
        "total": total,
        "total_estimated": total_est,
        "members": members_n,
        "members_estimated": members_est,
        "pool": pool_n,
        "pool_estimated": pool_est,
    })  # fmt: skip
