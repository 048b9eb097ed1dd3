"""The one shape of a view that writes: run ONE action; on success a Vietnamese message and a redirect (an
HTMX client redirect when the request came from HTMX); on a refusal the reason goes back on the form (the
caller re-renders it, status 200, nothing typed is lost) or, for a bare button without a form, into a message
on the page it returns to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from ketnap.core.models import FormToken

T = TypeVar("T")

__all__ = ["already_sent", "run_action"]


def run_action(
    request,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    to: str | Callable[[T], str],
    form: Any = None,
    warnings: Callable[[T], list[str]] | None = None,
) -> HttpResponse | None:
    """Run ``action``. Success: the ``success`` message (a string or a function of the result), any
    ``warnings`` of the result, and a redirect to ``to``. A ``ValidationError`` (the rule book's refusal is
    one, with ``refusals``): with a ``form``, the errors are added to it and None is returned so that the
    caller renders the form again; without, they become an error message and the redirect still happens.

    A form sent with a ``form_token`` (the `{% form_token %}` tag) runs at most once: the token is taken in
    the action's transaction, so a double click or a second tab finds it taken and records nothing."""
    token = (request.POST.get("form_token") or "")[:64] if request.method == "POST" else ""
    try:
        with transaction.atomic():
            if token:
                try:
                    with transaction.atomic():
                        FormToken.objects.create(token=token)
                except IntegrityError:
                    messages.info(request, "Biểu mẫu này đã được gửi và ghi nhận; lần gửi lại được bỏ qua.")
                    return _redirect(request, to if isinstance(to, str) else request.get_full_path())
            result = action()
    except ValidationError as exc:
        if form is None:
            messages.error(request, "; ".join(exc.messages))
            return _redirect(request, to if isinstance(to, str) else request.get_full_path())
        if getattr(exc, "refusals", None) is not None and hasattr(form, "add_refusals"):
            form.add_refusals(exc.refusals)
        elif hasattr(form, "add_validation_error"):
            form.add_validation_error(exc)
        else:
            form.add_error(None, exc)
        return None
    messages.success(request, success if isinstance(success, str) else success(result))
    for warning in warnings(result) if warnings else ():
        messages.warning(request, warning)
    return _redirect(request, to if isinstance(to, str) else to(result))


def already_sent(request, to: str) -> HttpResponse | None:
    """For a view that checks what may be done before it runs the action: the same form sent again (its token
    taken) goes back to ``to`` with the note that it was recorded, instead of a refusal of a step now done."""
    token = (request.POST.get("form_token") or "")[:64] if request.method == "POST" else ""
    if token and FormToken.objects.filter(token=token).exists():
        messages.info(request, "Biểu mẫu này đã được gửi và ghi nhận; lần gửi lại được bỏ qua.")
        return _redirect(request, to)
    return None


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
