from django.urls import path

from . import calendar_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("lich-lam-viec/", calendar_views.calendar_page, name="calendar"),
    path("lich-lam-viec/bo/", calendar_views.calendar_remove, name="calendar-remove"),
]
