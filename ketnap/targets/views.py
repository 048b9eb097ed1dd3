"""Dashboards of the directive's targets: indicators with trend, drill-down to children and cells, lagging
cells, funnel, year-end projection, the lists behind every number, weakness lists, targets and "no source
left" records, the printable annual review. Every table exports to Excel (`?export=xlsx`).

Thin: parse input, fetch objects through targets.queries / orgs.queries (scoped; 404 out of scope), call ONE
action or query, render. Role checks answer 403.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.exports import xlsx_response
from ketnap.core.paging import CappedPaginator, page_number
from ketnap.core.perform import run_action
from ketnap.orgs import queries as org_queries
from ketnap.people import ledger
from ketnap.people.models import SchoolRole, Stage
from ketnap.rules import indicators as ind
from ketnap.targets import actions, conf, queries
from ketnap.targets.actions import target_setter

PER_PAGE = 50  # rows a page, as the people list (core.paging caps every list at MAX_PER_PAGE)
LIST_CAP = 1000  # a weakness list counts up to this: "more than 1,000" cells
CHART_BARS = 25
SCHOOL_ROLES = dict(SchoolRole.choices)
STAGES = dict(Stage.choices)


# ---------------------------------------------------------------------------------------------- helpers


def _today() -> dt.date:
    return timezone.localdate()


def _window(request, today: dt.date, kind: str = "SY") -> ind.Window:
    """The window asked for (`?ky=SY2025`), among the last ten years; the current school year by default."""
    key = request.GET.get("ky", "")
    current = conf.current_school_year(today) if kind == "SY" else ind.calendar_year(today.year)
    if not key:
        return current
    try:
        w = conf.window(key)
    except (ValueError, IndexError):
        raise Http404("Kỳ không hợp lệ.") from None
    if w.kind not in ("SY", "CY") or not (current.year - 9 <= w.year <= current.year):
        raise Http404("Kỳ không có dữ liệu.")
    return w


def _row(unit, w):
    row = queries.row_at(unit.pk, w.key)
    if row is None:
        raise Http404(f"{unit.name} không có trong cây tổ chức của {w.long_label}.")
    return row


def _chart(kind: str, labels, datasets, *, percent=False, horizontal=False, target=None, legend=True) -> dict:
    """What targets/dashboard.js needs to draw one chart (sent once per page with json_script)."""
    return {"type": kind, "labels": labels, "datasets": datasets, "percent": percent, "horizontal": horizontal,
            "target": target, "legend": legend}  # fmt: skip


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _num_or_pct(spec, value):
    if value is None:
        return None
    return round(value * 100, 1) if spec.is_share else value


def _xlsx_value(spec, value):
    """A share as a percentage number (66.7) so that Excel sorts it; a count as is."""
    if value is None:
        return ""
    return round(value * 100, 1) if spec.is_share else int(round(value))


def _base_context(request, unit, w, today, tab: str):
    return {
        "unit": unit,
        "window": w,
        "today": today,
        "tab": tab,
        "ancestors": [a for a in unit.ancestors() if path_in_scope(a.path, request.user)],
        "years": [y for y in reversed(queries.trend_windows(conf.current_school_year(today)))],
        "can_decide": Perm.DECIDE in user_perms(request.user, unit),
    }


def _stamp(name: str, unit, w) -> str:
    """An export's file name: what it lists, the unit's name and the window (no ids, no codes)."""
    return f"{name} - {unit.name} - {w.label}".replace("/", "-")


# ---------------------------------------------------------------------------------------------- dashboard


def dashboard_root(request):
    unit = queries.top_unit_for(request.user)
    if unit is None:
        raise Http404("Bạn chưa được phân quyền tại tổ chức nào.")
    return redirect("targets-dashboard", pk=unit.pk)


def dashboard(request, pk):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    board = queries.dashboard(request.user, unit, w.key, today, chart=request.GET.get("chi-so", ""))
    if request.GET.get("export") == "xlsx":
        return _dashboard_export(request.GET.get("bang", "chi-so"), unit, board)
    spec = board.chart_indicator
    col = board.child_ids.index(spec.id)
    kids = [c for c in board.children if c.cells[col].value is not None]
    limited = len(kids) > CHART_BARS
    if limited:  # the lowest first: they are the ones to look at
        kids = sorted(kids, key=lambda c: (c.cells[col].value, c.name))[:CHART_BARS]
    chart_target = next((c.target.value for c in board.cards if c.spec.id == spec.id), None)
    charts = {
        "children": _chart(
            "bar", [c.name for c in kids],
            [{"label": spec.name, "data": [_num_or_pct(spec, c.cells[col].value) for c in kids]}],
            percent=spec.is_share, horizontal=True, target=_num_or_pct(spec, chart_target),
        ),
        "funnel": _chart("bar", [label for label, _, _, _ in board.funnel],
                         [{"label": "Số người trong kỳ", "data": [n for _, _, n, _ in board.funnel]}], horizontal=True),
    }  # fmt: skip
    for card in board.cards:
        if card.trend:
            charts[card.spec.id] = _chart(
                "line", [p.window.label for p in card.trend],
                [{"label": "Kết quả", "data": [_num_or_pct(card.spec, p.value) for p in card.trend]},
                 {"label": "Chỉ tiêu", "data": [_num_or_pct(card.spec, p.target) for p in card.trend], "dashed": True}],
                percent=card.spec.is_share, legend=False,
            )  # fmt: skip
    context = _base_context(request, unit, w, today, "dashboard")
    context.update(board=board, charts=charts, chart_children=kids, chart_col=col, chart_limited=limited,
                   child_specs=[ind.INDICATORS[i] for i in board.child_ids],
                   weaknesses=ind.WEAKNESSES.values(), measures=ind.MEASURES.values())  # fmt: skip
    return render(request, "targets/dashboard.html", context)


def _dashboard_export(table: str, unit, board):
    w = board.window
    if table == "xu-huong":
        headers = ["Chỉ số", *[f"{p.window.label}" for p in board.cards[0].trend], "Chỉ tiêu năm cuối"]
        rows = [[c.spec.name, *[_xlsx_value(c.spec, p.value) for p in c.trend],
                 _xlsx_value(c.spec, c.target.value)] for c in board.cards if c.trend]  # fmt: skip
        return xlsx_response(_stamp("Xu huong", unit, w) + ".xlsx", headers, rows, sheet_name="Xu hướng")
    if table == "cap-duoi":
        specs = [ind.INDICATORS[i] for i in board.child_ids]
        headers = ["Tổ chức", "Mã", "Loại", *[s.name for s in specs], "Chi bộ chưa đạt", "Kết nạp", "Nguồn cuối kỳ",
                   "Đảng viên cuối kỳ"]  # fmt: skip
        rows = [[c.name, c.code, c.kind, *[_xlsx_value(s, cell.value) for s, cell in zip(specs, c.cells)],
                 c.lagging, c.admitted, c.pool_end, c.members_end] for c in board.children]  # fmt: skip
        return xlsx_response(_stamp("Cap duoi", unit, w) + ".xlsx", headers, rows, sheet_name="Cấp dưới")
    if table == "pheu":
        headers = ["Bước", "Số người", "Tỷ lệ so với bước trước (%)"]
        rows = [[label, n, _pct(rate) if rate is not None else ""] for label, _, n, rate in board.funnel]
        return xlsx_response(_stamp("Pheu", unit, w) + ".xlsx", headers, rows, sheet_name="Phễu")
    if table == "du-bao":
        # whole persons everywhere: a stage's expected admissions rounded, the total as a range
        p = board.projection
        headers = ["Giai đoạn", "Số hồ sơ tính", "Tỷ lệ được kết nạp các năm trước (%)",
                   "Thời gian thường cần đến quyết định (ngày)", "Dự kiến kết nạp (người)", "Số liệu của"]  # fmt: skip
        rows = []
        if p.get("available"):
            rows.append(["Đã có quyết định kết nạp", p["admitted"], "", "", p["admitted"], ""])
            rows += [[r["label"], r["count"], _pct(r["share"]) if r["share"] is not None else "",
                      round(r["median_lead"]) if r["median_lead"] is not None else "", round(r["expected"]),
                      r["source"]] for r in p["rows"]]  # fmt: skip
            rows.append(["Không tính: quá hạn theo quy định", p["stale"], "", "", 0, ""])
            rows.append(["Không tính: bị chặn do có lỗi", p["blocked"], "", "", 0, ""])
            rows.append(["Dự kiến đến cuối kỳ — thấp nhất", "", "", "", p["low"], ""])
            rows.append(["Dự kiến đến cuối kỳ — ước tính giữa", "", "", "", round(p["expected"]), ""])
            rows.append(["Dự kiến đến cuối kỳ — cao nhất", "", "", "", p["high"], ""])
        return xlsx_response(_stamp("Du bao", unit, w) + ".xlsx", headers, rows, sheet_name="Dự báo")
    if table == "cham":
        return _lagging_export(unit, board.window, queries.lagging_list(None, board.row, None)[0])
    headers = ["Chỉ số", "Kỳ", "Kết quả", "Tử số", "Mẫu số", "Chỉ tiêu", "Nơi giao chỉ tiêu", "Đánh giá",
               "Dự báo cuối kỳ"]  # fmt: skip
    rows = [[c.spec.name, c.window.label, _xlsx_value(c.spec, c.value), c.num,
             c.den if c.den is not None else "", _xlsx_value(c.spec, c.target.value), c.target.source, c.status_label,
             c.projected_text if c.projected is not None and not c.final else ""]
            for c in board.cards]  # fmt: skip
    return xlsx_response(_stamp("Chi tieu", unit, w) + ".xlsx", headers, rows, sheet_name="Chỉ tiêu")


def _lagging_export(unit, w, items):
    headers = ["Chi bộ", "Cấp trên (cuối kỳ)", "Chưa đạt", "Đã kết nạp", "Giáo viên được kết nạp", "Nguồn cuối kỳ",
               "Hồ sơ đang làm kịp cuối kỳ", "Còn khả năng đạt"]  # fmt: skip
    rows = [[r.name, r.parent_name, "; ".join(r.missing), r.admitted, r.teachers, r.pool_end, r.in_progress,
             r.reachable] for r in items]  # fmt: skip
    return xlsx_response(_stamp("Chi bo chua dat", unit, w) + ".xlsx", headers, rows, sheet_name="Chưa đạt")


def lagging(request, pk):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    row = _row(unit, w)
    if request.GET.get("export") == "xlsx":
        return _lagging_export(unit, w, queries.lagging_list(request.user, row, None)[0])
    page_no = _page(request)
    items, total = queries.lagging_list(request.user, row, PER_PAGE, (page_no - 1) * PER_PAGE)
    page = Paginator(range(total), PER_PAGE).get_page(page_no)
    if page.number != page_no:  # a page past the end shows the last page
        items, total = queries.lagging_list(request.user, row, PER_PAGE, (page.number - 1) * PER_PAGE)
    context = _base_context(request, unit, w, today, "lagging")
    context.update(items=items, total=total, page=page, offset=(page.number - 1) * PER_PAGE)
    return render(request, "targets/lagging.html", context)


def _page(request) -> int:
    """The page number asked for, bounded (a page past the end shows the last page; 25 digits: page 1)."""
    return page_number(request.GET.get("trang"))


# ---------------------------------------------------------------------------------------------- behind the numbers


def indicator(request, pk, code):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    spec = ind.ALL_INDICATORS.get(code)
    if spec is None:
        raise Http404("Không có chỉ số này.")
    w = _window(request, today, spec.window_kind)
    if w.kind != spec.window_kind:
        w = queries.calendar_for(w, today) if spec.window_kind == "CY" else conf.current_school_year(today)
    row = _row(unit, w)
    params = conf.params()
    look = None if w.end < today else queries.outlooks([row], w, params).get(row.unit_id)
    card = queries.card_for(spec, w, row, queries._explicit_targets(queries._path_ids(row.path), [w.key]), today,
                            params, look)  # fmt: skip
    context = _base_context(request, unit, w, today, "indicator")
    context.update(spec=spec, card=card, kind="", items=[])
    if spec.id == "K12_SCHOOLS_WITH_ORG":
        items = queries.k12_schools(request.user, row)
        if request.GET.get("export") == "xlsx":
            headers = ["Trường", "Cấp học", "Phường, xã", "Có tổ chức đảng", "Tổ chức đảng"]
            rows = [[s.name, s.level, s.detail, s.in_numerator, s.org_name] for s in items]
            return xlsx_response(_stamp(spec.name, unit, w) + ".xlsx", headers, rows, sheet_name="Trường")
        page = Paginator(items, PER_PAGE).get_page(_page(request))
        context.update(kind="schools", items=page, page=page, total=len(items))  # (the rollup's number)
    elif spec.population_flag:
        qs = queries.indicator_units_qs(row, spec)
        if request.GET.get("export") == "xlsx":
            headers = ["Chi bộ", "Cấp trên (cuối kỳ)", "Đạt", "Số kết nạp", "Số giáo viên được kết nạp"]
            items = queries.unit_items(request.user, qs, spec)
            rows = [[u.name, u.parent_name, u.in_numerator, u.admitted, u.teachers] for u in items]
            return xlsx_response(_stamp(spec.name, unit, w) + ".xlsx", headers, rows, sheet_name="Chi bộ")
        # as many cells as the card's population: the rollup's number, no count of the list
        known = getattr(row, spec.population_flag)
        page = CappedPaginator(qs, PER_PAGE, known=known).get_page(_page(request))
        items = queries.unit_items(request.user, page.object_list, spec)
        context.update(kind="units", items=items, page=page, total=page.paginator.count)
    elif spec.id in queries.DRILL_FLOWS or spec.id == "POOL_SIZE":
        flow, he_only = queries.DRILL_FLOWS.get(spec.id, ("pool", False))
        url = (
            reverse("targets-persons", args=[unit.pk])
            + f"?ky={w.key}&luong={flow}"
            + ("&dh=1" if he_only else "")
        )
        context.update(kind="persons", persons_url=url)
    return render(request, "targets/indicator.html", context)


PERSON_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Vai trò", "Đoàn viên ưu tú", "Giai đoạn hiện nay", "Chi bộ hiện nay",
                  "Trường", "Tuổi đảng tính từ"]  # fmt: skip


def persons(request, pk):
    """Persons behind a flow of the window (`luong` = admitted, sources, …; `dh=1`: higher education only) or
    the current pool (`luong=pool`)."""
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    row = _row(unit, w)
    flow = request.GET.get("luong", "admitted")
    he_only = request.GET.get("dh") == "1"
    if flow == "pool":
        qs = queries.pool_persons(request.user, row).order_by("sort_key", "id")
        title = (
            f"Người trong nguồn ngày {w.end:%d/%m/%Y} (cuối {w.long_label})"
            if w.end < today
            else f"Người trong nguồn (đến hôm nay, {w.long_label})"
        )
    elif flow in queries.FIELD_KINDS:
        qs = queries.flow_persons(request.user, row, flow, he_only=he_only).order_by("sort_key", "id")
        title = f"Người {queries.FIELD_LABELS[flow]} trong {w.long_label}" + (
            " (đại học, cao đẳng, trung cấp)" if he_only else ""
        )
    else:
        raise Http404("Không có danh sách này.")
    if request.GET.get("export") == "xlsx":
        rows = ([i, p.full_name, p.birth_date, SCHOOL_ROLES.get(p.school_role, p.school_role),
                 p.excellent_youth_union_member, STAGES.get(p.stage, p.stage), p.unit.name,
                 p.school.name if p.school else "", p.party_age_from] for i, p in enumerate(qs, 1))  # fmt: skip
        return xlsx_response(
            _stamp("Danh sach", unit, w) + ".xlsx", PERSON_HEADERS, rows, sheet_name="Danh sách"
        )
    # the number behind the list, from the rollup, for a user who sees the whole tree (no count of the list);
    # others count their list, up to a cap
    known = None
    if org_queries.covers_whole_tree(request.user):
        field = "pool_end" if flow == "pool" else ("he_admitted" if he_only and flow == "admitted" else flow)
        known = getattr(row, field, None)
    page = CappedPaginator(qs, PER_PAGE, queryset=qs, known=known).get_page(_page(request))
    context = _base_context(request, unit, w, today, "persons")
    context.update(title=title, page=page, offset=(page.number - 1) * PER_PAGE, flow=flow, he_only=he_only)
    return render(request, "targets/persons.html", context)


# ---------------------------------------------------------------------------------------------- weaknesses


def weaknesses(request, pk):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    context = _base_context(request, unit, w, today, "weaknesses")
    context.update(items=ind.WEAKNESSES.values())
    return render(request, "targets/weaknesses.html", context)


def weakness(request, pk, code):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    spec = ind.WEAKNESSES.get(code)
    if spec is None:
        raise Http404("Không có danh sách này.")
    w = _window(request, today)
    row = _row(unit, w)
    kind, items = queries.weakness(request.user, row, code, today)
    if request.GET.get("export") == "xlsx":
        if kind == "units":
            items = list(items)
            names = org_queries.names_with_school(r.unit for r in items)
            headers = ["Tổ chức", "Mã", "Nguồn cuối kỳ", "Kết nạp trong kỳ", "Đảng viên cuối kỳ"]
            rows = [[names[r.unit_id], r.unit.code, r.pool_end, r.admitted, r.members_end] for r in items]
        elif kind == "schools":
            headers = ["Trường", "Cấp học", "Tổ chức đảng", "Số đảng viên cuối kỳ"]
            rows = [
                [s.name, s.get_level_display(), s.party_org.name if s.party_org else "", n] for s, n in items
            ]
        else:
            headers = ["Họ và tên", "Ngày sinh", "Vai trò", "Giai đoạn", "Chi bộ hiện nay", "Dự kiến tốt nghiệp",
                       "Nơi kết nạp"]  # fmt: skip
            items = list(items)
            names = org_queries.names_with_school(p.unit for p, _ in items)
            rows = [[p.full_name, p.birth_date, SCHOOL_ROLES.get(p.school_role, p.school_role),
                     STAGES.get(p.stage, p.stage), names[p.unit_id], p.expected_graduation, where] for p, where in items]  # fmt: skip
        return xlsx_response(_stamp(spec.name, unit, w) + ".xlsx", headers, rows, sheet_name="Danh sách")
    qs = getattr(items, "qs", items)  # (a list, or rows of a queryset: counted up to a cap)
    counted = qs if hasattr(qs, "query") else None
    page = CappedPaginator(items, PER_PAGE, queryset=counted, cap=LIST_CAP).get_page(_page(request))
    page.object_list = list(page.object_list)
    # cells named only by their members ("Chi bộ Sinh viên") are shown with their school
    if kind == "units":
        names = org_queries.names_with_school(r.unit for r in page.object_list)
        for r in page.object_list:
            r.unit_label = names[r.unit_id]
    elif kind == "persons":
        names = org_queries.names_with_school(p.unit for p, _ in page.object_list)
        for p, _ in page.object_list:
            p.unit_label = names[p.unit_id]
    context = _base_context(request, unit, w, today, "weaknesses")
    context.update(spec=spec, kind=kind, items=page, page=page, total=page.paginator.count_text)
    return render(request, "targets/weakness.html", context)


# ---------------------------------------------------------------------------------------------- pipeline


def pipeline(request, pk):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    row = _row(unit, w)
    totals = row.totals()
    steps = queries.step_medians(request.user, row, ledger.load_calendar(), today=today)
    measures = [(m, ind.value_of(m, totals), totals.get(m.num, 0), totals.get(m.den, 0) if m.den else None)
                for m in ind.MEASURES.values()]  # fmt: skip
    if request.GET.get("export") == "xlsx":
        headers = ["Chỉ số", "Mã", "Kết quả", "Tử số", "Mẫu số"]
        rows = [[m.name, m.id, _xlsx_value(m, v), n, d if d is not None else ""] for m, v, n, d in measures]
        rows += [[f"Trung vị số ngày làm việc: {s['label']}", "", s["median"] if s["median"] is not None else "",
                  s["count"], ""] for s in steps]  # fmt: skip
        return xlsx_response(_stamp("Quy trinh", unit, w) + ".xlsx", headers, rows, sheet_name="Quy trình")
    context = _base_context(request, unit, w, today, "pipeline")
    context.update(measures=measures, steps=steps, totals=totals)
    return render(request, "targets/pipeline.html", context)


# ---------------------------------------------------------------------------------------------- targets


def _parse_target(spec, text: str):
    """What a target cell holds: None (empty) or a number (a percentage for shares, stored as a fraction)."""
    text = text.strip().replace(",", ".")
    if text == "":
        return None
    value = float(text)
    return value / 100 if spec.is_share else value


@require_http_methods(["GET", "POST"])
def assign(request, pk):
    """The unit's committee sets the targets of its children (and, at the root, its own)."""
    today = _today()
    unit = queries.unit_for(request.user, pk)
    code = request.POST.get("indicator") or request.GET.get("chi-so") or "HE_ADMISSIONS"
    spec = ind.INDICATORS.get(code)
    if spec is None:
        raise Http404("Không có chỉ số này.")
    w = _window(request, today, spec.window_kind)
    if w.kind != spec.window_kind:
        w = queries.calendar_for(w, today) if spec.window_kind == "CY" else conf.current_school_year(today)
    may = Perm.DECIDE in user_perms(request.user, unit)
    kids, explicit, parent_row = queries.child_targets(request.user, unit, w.key, [spec.id])
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not may:
            raise PermissionDenied("Vai trò của bạn không được giao chỉ tiêu tại đơn vị này.")
        note = request.POST.get("note", "").strip()
        changed = 0
        targets = [u for u in kids] + ([unit] if unit.parent_id is None else [])
        for u in targets:
            raw = request.POST.get(f"t-{u.pk}", "").strip().replace(",", ".")
            try:
                value = _parse_target(spec, raw)
            except ValueError:
                errors[u.pk] = "Không phải là số."
                continue
            # the value shown when the form was opened: a row the user did not change is left alone (even if
            # someone changed it since), a row they changed is refused if someone changed it since
            expected = actions.ANY
            if f"o-{u.pk}" in request.POST:
                try:
                    expected = _parse_target(spec, request.POST[f"o-{u.pk}"][:40])
                except ValueError:
                    pass
                else:
                    if actions.same_value(expected, value):
                        continue
            before = explicit.get((u.pk, w.key, spec.id))
            old = before.value if before else None
            if value is not None and old is not None and abs(old - value) < 1e-9:
                continue
            if value is None and old is None:
                continue
            try:
                actions.set_target(acting_user=request.user, unit=u, indicator=spec.id, window=w.key, value=value,
                                   note=note, expected=expected)  # fmt: skip
                changed += 1
            except ValidationError as exc:
                errors[u.pk] = "; ".join(exc.messages)
        if not errors:
            messages.success(request, f"Đã lưu {changed} thay đổi chỉ tiêu {spec.name} ({w.long_label}).")
            return redirect(reverse("targets-assign", args=[unit.pk]) + f"?chi-so={spec.id}&ky={w.key}")
        kids, explicit, parent_row = queries.child_targets(request.user, unit, w.key, [spec.id])
    own = (
        queries.resolve_target(spec, parent_row, w.key, explicit) if parent_row else queries.TargetValue(None)
    )
    rows = []
    for u in ([unit] if unit.parent_id is None else []) + kids:
        t = explicit.get((u.pk, w.key, spec.id))
        raw = request.POST.get(f"t-{u.pk}") if request.method == "POST" else None
        shown = (
            raw
            if raw is not None
            else ("" if t is None else (f"{t.value * 100:g}" if spec.is_share else f"{t.value:g}"))
        )
        opened = "" if t is None else repr(t.value * 100 if spec.is_share else t.value)  # the version check
        rows.append({"unit": u, "own": t, "shown": shown, "opened": opened, "error": errors.get(u.pk, ""),
                     "below_floor": t is not None and ind.below_floor(spec, t.value)})  # fmt: skip
    context = _base_context(request, unit, w, today, "assign")
    context.update(spec=spec, rows=rows, own=own, may=may, specs=ind.INDICATORS.values(),
                   setter=target_setter(unit), inherited=queries.fmt_target(spec, own.value),
                   floor=queries.fmt_target(spec, spec.target),
                   warnings=queries.target_warnings(spec, unit, kids, explicit, parent_row, w.key))  # fmt: skip
    return render(request, "targets/assign.html", context)


@require_http_methods(["GET", "POST"])
def no_source(request, pk):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    may = Perm.DECIDE in user_perms(request.user, unit)
    form_errors: list[str] = []
    if request.method == "POST":
        if not may:
            raise PermissionDenied("Vai trò của bạn không được ghi nhận tại đơn vị này.")
        cell = queries.unit_for(request.user, request.POST.get("cell", "0") or "0")
        try:
            actions.record_no_source(acting_user=request.user, unit=cell, window=w.key,
                                     reason=request.POST.get("reason", ""), recorded_on=today)  # fmt: skip
        except ValidationError as exc:
            form_errors = exc.messages
        else:
            messages.success(request, f"Đã ghi nhận {cell.name} không còn nguồn trong {w.long_label}.")
            return redirect(reverse("targets-no-source", args=[unit.pk]) + f"?ky={w.key}")
    context = _base_context(request, unit, w, today, "no_source")
    records = list(queries.no_source_records(request.user, unit, w.key))
    pools = queries.no_source_pools(records, w.key)
    for r in records:
        r.pool = pools.get(r.unit_id, 0)
    context.update(
        records=records, may=may, form_errors=form_errors,
        cells=queries.cell_options(request.user, unit), reason=request.POST.get("reason", ""),
    )  # fmt: skip
    return render(request, "targets/no_source.html", context)


@require_POST
def no_source_withdraw(request, pk, record):
    today = _today()
    unit = queries.unit_for(request.user, pk)
    rec = queries.no_source_for(request.user, record)
    if Perm.DECIDE not in user_perms(request.user, rec.unit):
        raise PermissionDenied("Vai trò của bạn không được hủy ghi nhận tại đơn vị này.")
    return run_action(
        request,
        lambda: actions.withdraw_no_source(acting_user=request.user, record=rec,
                                           reason=request.POST.get("reason", "")),
        success=f"Đã hủy ghi nhận không còn nguồn của {rec.unit.name}.",
        to=reverse("targets-no-source", args=[unit.pk]) + f"?ky={rec.window or conf.current_school_year(today).key}",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------- annual review


def review(request, pk):
    """The printable annual review of a school year."""
    today = _today()
    unit = queries.unit_for(request.user, pk)
    w = _window(request, today)
    board = queries.dashboard(request.user, unit, w.key, today, lagging_limit=50)
    context = _base_context(request, unit, w, today, "review")
    context.update(board=board, child_specs=[ind.INDICATORS[i] for i in board.child_ids],
                   weaknesses=ind.WEAKNESSES.values())  # fmt: skip
    return render(request, "targets/review.html", context)
