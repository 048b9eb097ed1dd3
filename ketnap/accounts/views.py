"""The user's own password page (required after an administrator set a temporary password)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ketnap.accounts import actions, two_factor
from ketnap.accounts.middleware import SESSION_KEY, TWO_FACTOR_KEY


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = bool(self.request.session.get(SESSION_KEY))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.password_changed(self.request.user)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, "Đã đổi mật khẩu.")
        return response


# ------------------------------------------------------------------------------------------ two factors


def _next(request, default="/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and ok else default


def two_factor_verify(request):
    """The second step of the login: a code from the app, or a backup code."""
    if request.session.get(TWO_FACTOR_KEY) != "verify":
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        if two_factor.verify(request, request.POST.get("token", "")):
            request.session.pop(TWO_FACTOR_KEY, None)
            return redirect(_next(request))
        error = "Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng, hoặc một mã dự phòng."
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": _next(request, "")})


def two_factor_setup(request):
    """Set up a TOTP app (required for some roles, possible for everyone): scan, confirm with a first code,
    then keep the ten backup codes shown once."""
    if request.session.get(TWO_FACTOR_KEY) == "verify":
        return redirect("two-factor-verify")
    device = two_factor.pending_device(request.user)
    error = ""
    if request.method == "POST":
        codes = two_factor.confirm_setup(request, device, request.POST.get("token", ""))
        if codes is not None:
            request.session.pop(TWO_FACTOR_KEY, None)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        error = "Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng sau khi quét mã."
    return render(request, "accounts/two_factor_setup.html", {
        "qr": two_factor.provisioning_svg(device),
        "secret": two_factor.secret_text(device),
        "error": error,
        "required": request.session.get(TWO_FACTOR_KEY) == "setup",
        "has_device": two_factor.has_device(request.user),
        "next": _next(request, ""),
    })  # fmt: skip


@require_POST
def logout_everywhere(request):
    """End every session of the current user, this one included."""
    actions.logout_everywhere(request.user, acting_user=request.user)
    logout(request)
    return redirect("login")


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of logging in while an account or an address is locked (django-axes)."""
    from django.conf import settings

    return render(request, "accounts/locked.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }, status=429)  # fmt: skip
