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
