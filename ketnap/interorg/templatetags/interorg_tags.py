"""Template tags of the requests between organisations: the person page's section (people/detail.html), the
menu's badge of letters waiting (base.html) and the home page's part of the inbox (core/home.html)."""

from django import template
from django.utils import timezone

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.interorg import actions, queries
from ketnap.interorg.models import MOVING_KINDS, Kind
from ketnap.people import ledger

register = template.Library()

NEW_LINKS = [("tham-tra", Kind.VERIFICATION, "Đề nghị thẩm tra lý lịch"),
             ("chuyen-sinh-hoat", Kind.TRANSFER, "Chuyển sinh hoạt đảng"),
             ("gioi-thieu", Kind.INTRODUCTION, "Giới thiệu về tổ chức mới")]  # fmt: skip


@register.simple_tag
def rule_param(name: str):
    """A number of the rule book as this deployment sets it (settings.KETNAP_RULE_PARAMS), e.g. 30 for
    {% rule_param "transfer_present_days" %}: pages never repeat the defaults."""
    return getattr(ledger.rule_params(), name)


@register.simple_tag(takes_context=True)
def person_requests(context, person):
    """{"requests": the person's requests the user sees, "new": [(slug, label)] the user may start now,
    "in_transit": the open transfer or introduction, "hold": a hold form when the graduate may be held}."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or person is None:
        return {}
    today = timezone.localdate()
    rows = queries.requests_of_person(user, person)
    moving = next((r for r in rows if r.kind in MOVING_KINDS and r.is_open), None)
    units = [*person.unit.ancestors(), person.unit]
    may_prepare = any(Perm.PREPARE in user_perms(user, u) for u in units)
    new = []
    if may_prepare:
        for slug, kind, label in NEW_LINKS:
            if person.stage in actions.ALLOWED_STAGES[kind] and not (kind in MOVING_KINDS and moving):
                new.append((slug, label))
    hold = None
    transferred = any(r.kind == Kind.TRANSFER and r.status in ("sent", "received", "confirmed") for r in rows)
    grassroots = person.unit.grassroots() or person.unit
    if (actions.is_graduated_member(person, today) and not transferred
            and Perm.PREPARE in user_perms(user, grassroots)):  # fmt: skip
        from ketnap.interorg.views import hold_form

        hold = hold_form(user, today)
    return {"requests": rows, "new": new, "in_transit": moving, "hold": hold, "today": today}


def _user_of(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return request, None
    return request, user


@register.simple_tag(takes_context=True)
def letters_waiting(context):
    """The menu's badge: letters waiting for the user's units to answer or confirm (the inbox's "answer"
    items) and how many are overdue — one COUNT query, computed once per request."""
    request, user = _user_of(context)
    if user is None:
        return None
    cached = getattr(request, "_ketnap_letters_waiting", None)
    if cached is None:
        cached = queries.letters_waiting(user, timezone.localdate())
        request._ketnap_letters_waiting = cached
    return cached


@register.simple_tag(takes_context=True)
def home_inbox(context, per_page=15):
    """The home page's part of the inbox, from the inbox's own queries (so the numbers agree with the inbox
    page the links open): {"page": its first items, most urgent first, with the total and the count of each
    group; "overdue": the counts of the "overdue only" filter; "waiting": the letters of the menu's badge}."""
    request, user = _user_of(context)
    if user is None:
        return {}
    today = timezone.localdate()
    first, overdue = queries.inbox_summary(user, today, per_page=per_page)
    return {"page": first, "overdue": overdue, "waiting": letters_waiting(context), "today": today}


@register.filter
def inbox_count(value) -> str:
    """A count of the inbox: "hơn 1.000" when it stopped at the cap (queries.INBOX_CAP), else "1.234"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    if n > queries.INBOX_CAP:
        return f"hơn {queries.INBOX_CAP:,}".replace(",", ".")
    return f"{n:,}".replace(",", ".")
