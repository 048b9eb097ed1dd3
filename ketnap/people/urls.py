from django.urls import path

from . import views

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("bang/", views.pipeline, name="pipeline"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/ghi/<slug:kind>/", views.person_record, name="person-record"),
    path("<int:pk>/sua/", views.person_edit, name="person-edit"),
    path("<int:pk>/dinh-chinh/<int:event_pk>/", views.person_correct, name="person-correct"),
]
