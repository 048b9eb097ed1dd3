"""Administration pages of the tree, its schools and the authorisations to admit.

Thin, like every page: the unit is fetched in the user's scope (404 outside), the admin role is checked
before a form is shown (403), and a valid form runs ONE action of `orgs.actions` (which checks again, dates
the change, audits it with its reason and keeps the indicators current)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from ketnap.accounts.permissions import paths_with, user_can
from ketnap.accounts.roles import Perm
from ketnap.core.paging import search_text
from ketnap.core.perform import run_action
from ketnap.orgs import actions, queries
from ketnap.orgs import admin_forms as f
from ketnap.orgs.models import OrgUnit

FORM_TEMPLATE = "orgs/admin_form.html"


def _admin_unit(request, pk, perm: str = Perm.ADMIN) -> OrgUnit:
    unit = queries.unit_for(request.user, pk)
    if not user_can(request.user, perm, unit):
        raise PermissionDenied("Chỉ quản trị của tổ chức này mới làm được việc này.")
    return unit


def _page(request, form, *, unit=None, title: str, submit: str, intro: str = "", items=(), danger=False,
          form_id: str = "admin-form", extra=None):  # fmt: skip
    context = {"form": form, "unit": unit, "title": title, "submit": submit, "intro": intro, "items": items,
               "danger": danger, "form_id": form_id, **(extra or {})}  # fmt: skip
    return render(request, FORM_TEMPLATE, context)


def _detail(unit) -> str:
    return reverse("org-detail", args=[unit.pk])


# ---------------------------------------------------------------------------------------------- units


def unit_create(request, pk):
    parent = _admin_unit(request, pk)
    if parent.dissolved_on is not None or parent.is_cell:
        raise PermissionDenied("Không thêm được tổ chức trực thuộc vào tổ chức này.")
    form = f.CreateUnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        response = run_action(
            request,
            lambda: actions.create_unit(
                acting_user=request.user,
                name=d["name"],
                code=d["code"],
                kind=d["kind"],
                parent=parent,
                valid_from=d["on"],
                reason=d["reason"],
                cell_kind=d["cell_kind"],
                has_youth_union=d["has_youth_union"],
            ),  # fmt: skip
            success=lambda unit: f"Đã thêm {unit.name}.",
            to=_detail,
            form=form,
        )
        if response:
            return response
    return _page(request, form, unit=parent, title=f"Thêm tổ chức trực thuộc {parent.name}", submit="Thêm",
                 form_id="unit-create-form")  # fmt: skip


def unit_rename(request, pk):
    unit = _admin_unit(request, pk)
    form = f.RenameForm(request.POST or None, initial={"name": unit.name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        response = run_action(
            request,
            lambda: actions.rename_unit(
                unit, acting_user=request.user, name=d["name"], on=d["on"], reason=d["reason"]
            ),  # fmt: skip
            success=lambda u: f"Đã đổi tên thành {u.name}; tên cũ được giữ trong lịch sử.",
            to=_detail,
            form=form,
        )
        if response:
            return response
    return _page(
        request, form, unit=unit, title=f"Đổi tên {unit.name}", submit="Đổi tên", form_id="rename-form"
    )


def unit_move(request, pk):
    unit = _admin_unit(request, pk)
    options = [
        row
        for row in queries.admin_unit_options(request.user, cells=False, outside=unit)
        if row[0] != unit.parent_id
    ]
    form = f.MoveForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parent = queries.unit_for(request.user, d["parent"])
        response = run_action(
            request,
            lambda: actions.move_unit(unit, parent, acting_user=request.user, on=d["on"], note=d["reason"]),
            success=lambda u: f"Đã chuyển {u.name} về {parent.name} từ {d['on']:%d/%m/%Y}.",
            to=_detail,
            form=form,
        )
        if response:
            return response
    intro = (
        f"{unit.name} đang trực thuộc {unit.parent.name}. Từ ngày chuyển, tổ chức (cùng các tổ chức trực thuộc) "
        "tính vào cấp trên mới; số liệu trước ngày đó vẫn tính cho cấp trên cũ."
        if unit.parent
        else ""
    )
    return _page(request, form, unit=unit, title=f"Chuyển {unit.name}", submit="Chuyển", intro=intro,
                 form_id="move-form")  # fmt: skip


def unit_merge(request, pk):
    unit = _admin_unit(request, pk)
    family = [OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL] if unit.is_cell else [unit.kind]
    options = [
        row
        for row in queries.admin_unit_options(request.user, kinds=family, outside=unit)
        if row[0] != unit.pk
    ]
    form = f.MergeForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = queries.unit_for(request.user, d["target"])
        response = run_action(
            request,
            lambda: actions.merge_units(
                unit, target, acting_user=request.user, on=d["on"], reason=d["reason"]
            ),
            success=lambda report: (
                f"Đã sáp nhập {unit.name} vào {target.name}. {actions.merge_summary(report)}"
            ),
            to=_detail(target),
            form=form,
        )
        if response:
            return response
    intro = (
        f"Từ ngày sáp nhập, mọi người đang do {unit.name} quản lý chuyển về tổ chức được chọn (ghi vào hồ sơ "
        "từng người), cùng các tổ chức trực thuộc, trường học, văn bản giữa các tổ chức chưa xong, chỉ tiêu của "
        f"kỳ chưa kết thúc và các phân quyền; {unit.name} được ghi là giải thể từ ngày đó. Những việc đã xảy ra "
        "trước ngày sáp nhập (kết nạp, công nhận…) vẫn tính cho tổ chức cũ trong số liệu các kỳ trước."
    )
    return _page(request, form, unit=unit, title=f"Sáp nhập {unit.name}", submit="Sáp nhập", intro=intro,
                 danger=True, form_id="merge-form")  # fmt: skip


def unit_dissolve(request, pk):
    unit = _admin_unit(request, pk)
    form = f.DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        response = run_action(
            request,
            lambda: actions.dissolve_unit(unit, acting_user=request.user, on=d["on"], reason=d["reason"]),
            success=f"Đã giải thể {unit.name} từ {d['on']:%d/%m/%Y}.",
            to=_detail(unit),
            form=form,
        )
        if response:
            return response
    left = actions.contents_of(unit)
    intro = (
        f"Chưa giải thể được: {unit.name} còn những nội dung dưới đây. Hãy chuyển đi trước, hoặc sáp nhập tổ chức "
        "này vào một tổ chức khác (người, văn bản và chỉ tiêu sẽ đi theo)."
        if left
        else f"{unit.name} không còn người, tổ chức trực thuộc hay văn bản đang xử lý. Trường học gắn với tổ chức "
        "này sẽ được ghi là chưa có tổ chức đảng; các phân quyền tại đây bị thu hồi."
    )
    return _page(request, form, unit=unit, title=f"Giải thể {unit.name}", submit="Giải thể", intro=intro,
                 items=left, danger=True, form_id="dissolve-form",
                 extra={"merge_url": reverse("admin-unit-merge", args=[unit.pk]) if left else ""})  # fmt: skip


# ---------------------------------------------------------------------------------------------- schools


def _school_options(request):
    return queries.ward_options_for_admin(request.user), queries.admin_unit_options(request.user)


def school_list(request):
    if not paths_with(request.user, Perm.ADMIN):
        raise PermissionDenied("Chỉ quản trị mới xem được trang này.")
    q = search_text(request.GET.get("q"))
    schools = queries.schools_list(request.user, q)
    return render(request, "orgs/schools.html", {"schools": schools[:500], "count": schools.count(), "q": q})


def school_create(request):
    if not paths_with(request.user, Perm.ADMIN):
        raise PermissionDenied("Chỉ quản trị mới thêm được trường học.")
    wards, units = _school_options(request)
    initial = {}
    if request.GET.get("unit"):
        unit = queries.unit_for(request.user, request.GET["unit"])
        initial["ward" if unit.kind == OrgUnit.Kind.WARD else "party_org"] = unit.pk
    form = f.SchoolForm(request.POST or None, wards=wards, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _school_fields(request, form.cleaned_data)
        response = run_action(
            request,
            lambda: actions.save_school(None, acting_user=request.user, **fields),
            success=lambda s: f"Đã thêm {s.name}.",
            to=lambda s: reverse("admin-school", args=[s.pk]),
            form=form,
        )
        if response:
            return response
    return _page(request, form, title="Thêm trường học", submit="Thêm", form_id="school-form")


def school_edit(request, pk):
    school = queries.school_for(request.user, pk)
    if not user_can(request.user, Perm.ADMIN, school.party_org or school.ward):
        raise PermissionDenied("Chỉ quản trị của tổ chức đảng hoặc phường của trường mới sửa được.")
    wards, units = _school_options(request)
    initial = {
        "name": school.name, "code": school.code, "level": school.level, "is_public": "1" if school.is_public else "0",
        "ward": school.ward_id, "party_org": school.party_org_id,
        "has_full_time_party_staff": school.has_full_time_party_staff,
    }  # fmt: skip
    form = f.SchoolForm(request.POST or None, wards=wards, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _school_fields(request, form.cleaned_data)
        response = run_action(
            request,
            lambda: actions.save_school(school, acting_user=request.user, **fields),
            success=lambda s: f"Đã lưu thông tin {s.name}.",
            to=reverse("admin-school", args=[school.pk]),
            form=form,
        )
        if response:
            return response
    return _page(
        request, form, title=school.name, submit="Lưu", form_id="school-form", extra={"school": school}
    )


def _school_fields(request, d: dict) -> dict:
    fields = {k: d[k] for k in ("name", "code", "level", "is_public", "has_full_time_party_staff")}
    fields["ward"] = queries.unit_for(request.user, d["ward"]) if d.get("ward") else None
    fields["party_org"] = queries.unit_for(request.user, d["party_org"]) if d.get("party_org") else None
    return fields


# ---------------------------------------------------------------------------------------------- authorisations


def authorize(request, pk):
    """The committee directly above a grassroots committee authorises it to decide admissions."""
    grantee = queries.unit_for(request.user, pk)
    grantor = grantee.parent
    if grantee.kind != OrgUnit.Kind.GRASSROOTS or grantor is None:
        raise PermissionDenied("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
    if not user_can(request.user, Perm.DECIDE, grantor):
        raise PermissionDenied(f"Việc ủy quyền do {grantor.name} quyết định.")
    form = f.AuthorizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        response = run_action(
            request,
            lambda: actions.grant_authorization(
                acting_user=request.user,
                grantor=grantor,
                grantee=grantee,
                valid_from=d["valid_from"],
                valid_to=d["valid_to"],
                document_number=d["document_number"],
            ),  # fmt: skip
            success=f"Đã ghi ủy quyền kết nạp cho {grantee.name}.",
            to=_detail(grantee),
            form=form,
        )
        if response:
            return response
    intro = (
        f"{grantor.name} ủy quyền cho {grantee.name} quyết định kết nạp đảng viên trong thời gian hiệu lực."
    )
    return _page(request, form, unit=grantee, title=f"Ủy quyền kết nạp cho {grantee.name}", submit="Ghi ủy quyền",
                 intro=intro, form_id="authorize-form")  # fmt: skip


def authorization_revoke(request, pk):
    auth = queries.authorization_for(request.user, pk)
    if not user_can(request.user, Perm.DECIDE, auth.grantor):
        raise PermissionDenied(f"Việc thu hồi ủy quyền do {auth.grantor.name} quyết định.")
    form = f.RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        response = run_action(
            request,
            lambda: actions.revoke_authorization(
                auth, acting_user=request.user, on=d["on"], reason=d["reason"]
            ),
            success=f"Đã thu hồi ủy quyền kết nạp của {auth.grantee.name} từ {d['on']:%d/%m/%Y}.",
            to=_detail(auth.grantee),
            form=form,
        )
        if response:
            return response
    intro = (
        f"Ủy quyền của {auth.grantor.name} cho {auth.grantee.name}, hiệu lực từ {auth.valid_from:%d/%m/%Y}."
    )
    return _page(request, form, unit=auth.grantee, title="Thu hồi ủy quyền kết nạp", submit="Thu hồi",
                 intro=intro, danger=True, form_id="revoke-form")  # fmt: skip
