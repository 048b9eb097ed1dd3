from django.conf import settings
from django.contrib.auth.views import redirect_to_login

PUBLIC_PREFIXES = ("/dang-nhap/", "/static/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a logged-in user except the login page, static files and the health check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            if request.htmx:
                from django.http import HttpResponse

                response = HttpResponse(status=204)
                response["HX-Redirect"] = settings.LOGIN_URL
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class RejectNulMiddleware:
    """A NUL character in the address, a parameter or a form field (no keyboard types it; PostgreSQL cannot store
    it in text) answers 400 with a Vietnamese page before any view reads the request. Files uploaded are not
    looked into."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (request.method == "POST" and _has_nul(request.POST))
        ):
            from django.http import HttpResponseBadRequest
            from django.template.loader import render_to_string

            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Every page a logged-in user sees shows data of their scope: never stored by a browser or a proxy
    (`Cache-Control: no-store, private`). Every file downloaded (an Excel export, a paper) is written in the
    read log with its name and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.KETNAP_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/static/"):
            return response
        response["Cache-Control"] = "no-store, private"
        disposition = response.get("Content-Disposition", "")
        if response.status_code == 200 and disposition.startswith("attachment"):
            from ketnap.core.audit import read_log

            name = disposition.split("filename*=UTF-8''")[-1] if "filename*=" in disposition else disposition
            from urllib.parse import unquote

            read_log(request, "export", summary=f"Tải về {unquote(name)}")
        return response


class IdleSessionMiddleware:
    """Sliding expiry without a write on every request: the session's expiry moves forward when a tenth of the
    idle window has passed since it was last moved (SESSION_COOKIE_AGE = the idle window)."""

    KEY = "_ketnap_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        import time

        now = int(time.time())
        if now - int(session.get(self.KEY, 0) or 0) >= max(30, settings.SESSION_COOKIE_AGE // 10):
            session[self.KEY] = now  # modified: the session is saved with a new expiry
        return response
