from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from ketnap.accounts import views as account_views
from ketnap.accounts.views import PasswordChangeView
from ketnap.orgs import calendar_views
from ketnap.people import audit_views
from ketnap.people import views as people_views


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("dang-xuat/moi-noi/", account_views.logout_everywhere, name="logout-everywhere"),
    path("xac-thuc/", account_views.two_factor_verify, name="two-factor-verify"),
    path("xac-thuc/thiet-lap/", account_views.two_factor_setup, name="two-factor-setup"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password-change"),
    path("healthz", healthz, name="healthz"),
    path("", people_views.home, name="home"),
    path("nhat-ky/", audit_views.audit_page, name="audit-log"),
    path("lich-lam-viec/", calendar_views.calendar_page, name="calendar"),
    path("lich-lam-viec/bo/", calendar_views.calendar_remove, name="calendar-remove"),
    path("to-chuc/", include("ketnap.people.org_urls")),
    path("nguoi/", include("ketnap.people.urls")),
    path("lien-to-chuc/", include("ketnap.interorg.urls")),
    path("chi-tieu/", include("ketnap.targets.urls")),
    path("giay-to/", include("ketnap.papers.urls")),
    path("quan-tri/", include("ketnap.orgs.admin_urls")),
    path("nhap/", include("ketnap.exchange.urls")),
]
