from django.urls import path

from . import views

urlpatterns = [
    path("", views.request_list, name="request-list"),
    path("viec-can-lam/", views.inbox, name="inbox"),
    path("qua-han/", views.escalation, name="escalation"),
    path("moi/<slug:kind>/", views.request_new, name="request-new"),
    path("<int:pk>/", views.request_detail, name="request-detail"),
    path("<int:pk>/giay/", views.request_letter, name="request-letter"),
    path("<int:pk>/<slug:verb>/", views.request_act, name="request-act"),
    path("tot-nghiep/", views.graduation, name="graduation"),
    path("tot-nghiep/giu/<int:pk>/", views.hold_graduate, name="graduate-hold"),
    path("dot/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("dot/<int:pk>/in/", views.batch_print, name="batch-print"),
    path("phuong/", views.ward_letters, name="ward-letters"),
    path("hang-quy/", views.quarterly, name="quarterly"),
    path("giup-do/", views.mentors, name="mentors"),
    path("giup-do/<int:pk>/", views.mentor_detail, name="mentor-detail"),
    path("giup-do/phan-cong/<int:pk>/", views.assign_mentor, name="mentor-assign"),
    path("nhac-viec/", views.reminder_runs, name="reminder-runs"),
]
