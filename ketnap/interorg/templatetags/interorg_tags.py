"""The person page's section on requests between organisations (included by people/detail.html)."""

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
