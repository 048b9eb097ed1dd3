from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "pdf|docx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("nguoi/<int:pk>/ho-so.pdf", views.person_dossier, name="paper-dossier"),
    path("nguoi/<int:pk>/<slug:slug>.<fmt:fmt>", views.person_blank, name="paper-blank"),
    path("nguoi/<int:pk>/<slug:slug>/<int:event>.<fmt:fmt>", views.person_paper, name="paper-person"),
    path("van-ban/<int:pk>.<fmt:fmt>", views.request_letter, name="paper-letter"),
    path("dot/<int:pk>.<fmt:fmt>", views.batch_letters, name="paper-batch"),
    path("bao-cao/<int:pk>.<fmt:fmt>", views.annual_review, name="paper-review"),
]
