from django.urls import path

from ketnap.people import org_views as views
from ketnap.people import views as people_views

urlpatterns = [
    path("", views.org_tree, name="org-tree"),
    path("chon/<slug:what>/", views.option_search, name="option-search"),
    path("<int:pk>/", views.org_detail, name="org-detail"),
    path("<int:pk>/them-nguon/", people_views.add_source, name="org-add-source"),
    path("<int:pk>/quyet-dinh-uy-quyen/", views.authorized_decisions, name="org-authorized-decisions"),
]
