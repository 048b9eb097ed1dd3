"""Users and their roles: create, disable, reset a password (the user must change it), grant and revoke roles
at units. The actions live in `accounts.actions`; these pages live in `orgs` because they pick units. An
administrator sees the users who hold a role in the subtrees they administer (404 for others) and changes
only those whose roles all lie there (403 otherwise)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketnap.accounts import actions as account_actions
from ketnap.accounts import queries as account_queries
from ketnap.accounts import two_factor
from ketnap.accounts.models import AccountState
from ketnap.accounts.permissions import paths_with
from ketnap.accounts.roles import Perm
from ketnap.core.paging import search_text
from ketnap.core.perform import run_action
from ketnap.orgs import admin_forms as f
from ketnap.orgs import queries

PER_PAGE = 200


def _require_admin(request) -> None:
    if not paths_with(request.user, Perm.ADMIN):
        raise PermissionDenied("Chỉ quản trị mới quản lý được người dùng.")


def user_list(request):
    _require_admin(request)
    q = search_text(request.GET.get("q"))
    users = account_queries.users_for(request.user, q)
    return render(request, "orgs/users.html", {"users": users[:PER_PAGE], "count": users.count(), "q": q})


def user_create(request):
    _require_admin(request)
    units = queries.admin_unit_options(request.user)
    initial = {"unit": request.GET.get("unit", "")}
    form = f.UserCreateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = queries.unit_for(request.user, d["unit"])
        try:
            user, password = account_actions.create_account(
                acting_user=request.user, username=d["username"], full_name=d["full_name"], email=d["email"],
                unit=unit, role=d["role"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_validation_error(exc)
        else:
            return _show_password(request, user, password, created=True)
    return render(request, "orgs/admin_form.html", {
        "form": form, "title": "Thêm người dùng", "submit": "Tạo tài khoản", "form_id": "user-create-form",
        "intro": "Hệ thống tạo một mật khẩu tạm thời để bạn trao cho người dùng; họ phải đổi mật khẩu khi đăng "
                 "nhập lần đầu.",
    })  # fmt: skip


def _show_password(request, user, password: str, *, created: bool):
    return render(
        request, "orgs/user_password.html", {"account": user, "password": password, "created": created}
    )


def user_detail(request, pk):
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    state = AccountState.objects.filter(user=account).first()
    return render(request, "orgs/user_detail.html", {
        "account": account,
        "state": state,
        "roles": account.roles.all(),
        "manageable": account_actions.manageable(request.user, account),
        "administered": {ra.pk for ra in account.roles.all() if _administers(request.user, ra.unit)},
        "grant_form": f.GrantRoleForm(units=queries.admin_unit_options(request.user)),
        "disable_form": f.DisableForm(),
        "locked": account_actions.is_locked(account),
        "two_factor": two_factor.has_device(account),
    })  # fmt: skip


def _administers(user, unit) -> bool:
    from ketnap.accounts.permissions import user_can

    return user_can(user, Perm.ADMIN, unit)


@require_POST
def user_grant(request, pk):
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    form = f.GrantRoleForm(request.POST, units=queries.admin_unit_options(request.user))
    to = reverse("admin-user", args=[account.pk])
    if not form.is_valid():
        messages.error(request, "Hãy chọn tổ chức và vai trò.")
        return redirect(to)
    unit = queries.unit_for(request.user, form.cleaned_data["unit"])
    return run_action(
        request,
        lambda: account_actions.grant_role(
            acting_user=request.user, user=account, unit=unit, role=form.cleaned_data["role"]
        ),  # fmt: skip
        success=f"Đã giao vai trò tại {unit.name}.",
        to=to,
    )


@require_POST
def role_revoke(request, pk):
    _require_admin(request)
    assignment = account_queries.assignment_for(request.user, pk)
    return run_action(
        request,
        lambda: account_actions.revoke_role(acting_user=request.user, assignment=assignment),
        success=f"Đã thu hồi vai trò tại {assignment.unit.name}.",
        to=reverse("admin-user", args=[assignment.user_id]),
    )


@require_POST
def user_active(request, pk):
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    active = request.POST.get("active") == "1"
    return run_action(
        request,
        lambda: account_actions.set_active(
            account, acting_user=request.user, active=active, reason=request.POST.get("reason", "")
        ),  # fmt: skip
        success="Đã mở khóa tài khoản." if active else "Đã khóa tài khoản.",
        to=reverse("admin-user", args=[account.pk]),
    )


@require_POST
def user_reset_password(request, pk):
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    password = account_actions.reset_password(account, acting_user=request.user)
    return _show_password(request, account, password, created=False)


@require_POST
def user_unlock(request, pk):
    """Lift a lockout after too many wrong passwords (the account itself stays active)."""
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    return run_action(
        request,
        lambda: account_actions.unlock(account, acting_user=request.user),
        success="Đã mở khóa đăng nhập: người dùng đăng nhập lại được ngay.",
        to=reverse("admin-user", args=[account.pk]),
    )


@require_POST
def user_two_factor_off(request, pk):
    """Remove a user's second factor (a lost phone); if their role requires one they set it up at next login."""
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)
    reason = request.POST.get("reason", "").strip()[:300]
    if not reason:
        messages.error(request, "Hãy ghi lý do tắt xác thực hai lớp (ví dụ: mất điện thoại).")
        return redirect("admin-user", account.pk)

    def act():
        account_actions.require_manage(request.user, account)
        two_factor.disable(account, acting_user=request.user, reason=reason)
        account_actions.logout_everywhere(account, acting_user=request.user)

    return run_action(
        request, act,
        success="Đã tắt xác thực hai lớp và đăng xuất người dùng khỏi mọi thiết bị.",
        to=reverse("admin-user", args=[account.pk]),
    )  # fmt: skip


@require_POST
def user_logout_everywhere(request, pk):
    _require_admin(request)
    account = account_queries.user_for(request.user, pk)

    def act():
        account_actions.require_manage(request.user, account)
        return account_actions.logout_everywhere(account, acting_user=request.user)

    return run_action(
        request,
        act,
        success="Đã đăng xuất người dùng khỏi mọi thiết bị.",
        to=reverse("admin-user", args=[account.pk]),
    )
