"""A user whose password was set by an administrator changes it before anything else."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect

SESSION_KEY = "ketnap_must_change_password"
CHANGE_URL = "/doi-mat-khau/"
ALLOWED = (CHANGE_URL, "/dang-xuat/", "/static/", "/healthz")


@receiver(user_logged_in)
def _remember_on_login(sender, request, user, **kwargs):
    from ketnap.accounts.actions import must_change_password

    if request is not None and hasattr(request, "session"):
        if must_change_password(user):
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


class PasswordChangeRequiredMiddleware:
    """Sends the user to the password page while their session says a change is required (set at login: no
    query on other requests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and request.session.get(SESSION_KEY)
            and not request.path.startswith(ALLOWED)
        ):
            return redirect(CHANGE_URL)
        return self.get_response(request)


# ------------------------------------------------------------------------------------------ two factors

TWO_FACTOR_KEY = (
    "ketnap_two_factor"  # "verify": a device is set up; "setup": one must be; absent: nothing to do
)
VERIFY_URL = "/xac-thuc/"
SETUP_URL = "/xac-thuc/thiet-lap/"
TWO_FACTOR_ALLOWED = ("/xac-thuc/", "/dang-xuat/", "/doi-mat-khau/", "/static/", "/healthz")


@receiver(user_logged_in)
def _two_factor_on_login(sender, request, user, **kwargs):
    """Decide once, at login, whether the session must pass the second factor (no query on later requests)."""
    from ketnap.accounts.two_factor import state_after_password

    if request is not None and hasattr(request, "session"):
        state = state_after_password(user)
        if state:
            request.session[TWO_FACTOR_KEY] = state
        else:
            request.session.pop(TWO_FACTOR_KEY, None)


class TwoFactorMiddleware:
    """After the password, a user with a second factor gives its code (or a backup code); a user whose role
    requires one sets it up first. Until then every page sends them there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = request.session.get(TWO_FACTOR_KEY) if hasattr(request, "session") else None
        if state and request.user.is_authenticated and not request.path.startswith(TWO_FACTOR_ALLOWED):
            if request.htmx:
                from django.http import HttpResponse

                response = HttpResponse(status=204)
                response["HX-Redirect"] = VERIFY_URL if state == "verify" else SETUP_URL
                return response
            target = VERIFY_URL if state == "verify" else SETUP_URL
            return redirect(f"{target}?next={request.get_full_path()}" if request.method == "GET" else target)
        return self.get_response(request)
