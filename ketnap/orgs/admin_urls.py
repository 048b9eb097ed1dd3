from django.urls import path

from ketnap.orgs import admin_views as views
from ketnap.orgs import user_views

urlpatterns = [
    path("to-chuc/<int:pk>/them/", views.unit_create, name="admin-unit-create"),
    path("to-chuc/<int:pk>/doi-ten/", views.unit_rename, name="admin-unit-rename"),
    path("to-chuc/<int:pk>/chuyen/", views.unit_move, name="admin-unit-move"),
    path("to-chuc/<int:pk>/sap-nhap/", views.unit_merge, name="admin-unit-merge"),
    path("to-chuc/<int:pk>/giai-the/", views.unit_dissolve, name="admin-unit-dissolve"),
    path("to-chuc/<int:pk>/uy-quyen/", views.authorize, name="admin-authorize"),
    path("uy-quyen/<int:pk>/thu-hoi/", views.authorization_revoke, name="admin-authorization-revoke"),
    path("truong/", views.school_list, name="admin-schools"),
    path("truong/them/", views.school_create, name="admin-school-create"),
    path("truong/<int:pk>/", views.school_edit, name="admin-school"),
    path("nguoi-dung/", user_views.user_list, name="admin-users"),
    path("nguoi-dung/them/", user_views.user_create, name="admin-user-create"),
    path("nguoi-dung/<int:pk>/", user_views.user_detail, name="admin-user"),
    path("nguoi-dung/<int:pk>/vai-tro/", user_views.user_grant, name="admin-user-grant"),
    path("nguoi-dung/<int:pk>/khoa/", user_views.user_active, name="admin-user-active"),
    path("nguoi-dung/<int:pk>/mat-khau/", user_views.user_reset_password, name="admin-user-password"),
    path("nguoi-dung/<int:pk>/mo-khoa-dang-nhap/", user_views.user_unlock, name="admin-user-unlock"),
    path(
        "nguoi-dung/<int:pk>/tat-xac-thuc/", user_views.user_two_factor_off, name="admin-user-two-factor-off"
    ),
    path("nguoi-dung/<int:pk>/dang-xuat/", user_views.user_logout_everywhere, name="admin-user-logout"),
    path("vai-tro/<int:pk>/thu-hoi/", user_views.role_revoke, name="admin-role-revoke"),
]
