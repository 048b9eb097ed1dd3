from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard_root, name="targets-root"),
    path("<int:pk>/", views.dashboard, name="targets-dashboard"),
    path("<int:pk>/chi-so/<str:code>/", views.indicator, name="targets-indicator"),
    path("<int:pk>/chua-dat/", views.lagging, name="targets-lagging"),
    path("<int:pk>/nguoi/", views.persons, name="targets-persons"),
    path("<int:pk>/yeu-kem/", views.weaknesses, name="targets-weaknesses"),
    path("<int:pk>/yeu-kem/<str:code>/", views.weakness, name="targets-weakness"),
    path("<int:pk>/quy-trinh/", views.pipeline, name="targets-pipeline"),
    path("<int:pk>/giao-chi-tieu/", views.assign, name="targets-assign"),
    path("<int:pk>/khong-con-nguon/", views.no_source, name="targets-no-source"),
    path(
        "<int:pk>/khong-con-nguon/<int:record>/huy/",
        views.no_source_withdraw,
        name="targets-no-source-withdraw",
    ),
    path("<int:pk>/bao-cao/", views.review, name="targets-review"),
]
