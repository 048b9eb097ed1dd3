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
