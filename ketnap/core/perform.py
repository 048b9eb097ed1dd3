"""The one shape of a view that writes: run ONE action; on success a Vietnamese message and a redirect (an
HTMX client redirect when the request came from HTMX); on a refusal the reason goes back on the form (the
caller re-renders it, status 200, nothing typed is lost) or, for a bare button without a form, into a message
on the page it returns to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

T = TypeVar("T")

__all__ = ["run_action"]


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
    caller renders the form again; without, they become an error message and the redirect still happens."""
    try:
        result = action()
    except ValidationError as exc:
        if form is None:
            messages.error(request, "; ".join(exc.messages))
            return _redirect(request, to if isinstance(to, str) else to(None))
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


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
