from django.urls import path

from ketnap.exchange import views

urlpatterns = [
    path("", views.home, name="import-home"),
    path("mau/<slug:kind>.xlsx", views.template_download, name="import-template"),
    path("to-chuc/<int:pk>/<slug:kind>/", views.new, name="import-new"),
    path("<int:pk>/", views.job_page, name="import-job"),
    path("<int:pk>/tien-do/", views.job_progress, name="import-progress"),
    path("<int:pk>/ghi/", views.job_commit, name="import-commit"),
    path("<int:pk>/quyet-dinh/", views.job_decide, name="import-decide"),
    path("<int:pk>/kiem-tra-lai/", views.job_recheck, name="import-recheck"),
    path("<int:pk>/dong-khong-nhap.xlsx", views.job_rejects, name="import-rejects"),
]
