"""The user's own password page (required after an administrator set a temporary password)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from ketnap.accounts import actions
from ketnap.accounts.middleware import SESSION_KEY


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = bool(self.request.session.get(SESSION_KEY))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.password_changed(self.request.user)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, "Đã đổi mật khẩu.")
        return response
