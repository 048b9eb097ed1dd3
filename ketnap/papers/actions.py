"""Numbering papers: the one write of this app (atomic, scope and role re-checked, audited).

A paper gets its number the first time someone who may record its step prints it (or the `ketnap forms`
command, acting for the system); every later print shows the same number. Numbers run per issuing unit and
year, from 01; the register (`PaperNumber`) holds one row per paper, and its unique constraints make two
papers sharing a number impossible even when two people print at the same moment (the loser retries).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.audit import audit
from ketnap.orgs.models import OrgUnit
from ketnap.papers import words
from ketnap.papers.build import Facts, Ref, issuer_of
from ketnap.papers.models import PaperNumber
from ketnap.people.forms import PermissionContext

_TYPED = re.compile(r"^\s*0*(\d{1,6})\s*-\s*[^/\s]+\s*/\s*(\S+)\s*$")
RETRIES = 3


def numbers_of(person) -> dict[str, str]:
    """The numbers already issued for the person's papers: {register key: number}."""
    return dict(PaperNumber.objects.filter(person=person).values_list("key", "number"))


def needs_number(ref: Ref, facts: Facts) -> bool:
    """A numbered party paper without a row in the register yet (a typed number is recorded too, so the
    register never hands it out again)."""
    if ref.event is None or ref.key in facts.numbers:
        return False
    return ref.form.numbered or bool(ref.form.typed_number and ref.event.data.get("number"))


def may_number(user, person, ref: Ref, facts: Facts, perms: PermissionContext | None = None) -> bool:
    """Who may number a paper: for a committee's paper, whoever decides for that committee; for a cell's,
    whoever may record the step. Others (a viewer, a secretary printing the committee's resolution) print it
    with the number left blank."""
    if ref.event is None:
        return False
    if ref.form.issuer in ("grassroots", "decider"):
        issuer = issuer_of(ref, facts)
        return issuer is not None and user_can(user, Perm.DECIDE, issuer)
    perms = perms or PermissionContext(user, person)
    return perms.allows(ref.event.kind)


def issue_numbers(person, refs: list[Ref], facts: Facts, *, acting_user=None) -> dict[str, str]:
    """Give each numbered paper of ``refs`` its number, once; returns {key: number} for the new ones (also
    put into ``facts.numbers``). ``acting_user`` None: the system (the `ketnap forms` command)."""
    wanted = [ref for ref in refs if needs_number(ref, facts)]
    if not wanted:
        return {}
    if acting_user is not None:
        if not path_in_scope(person.unit.path, acting_user):
            raise Http404("Không tìm thấy hoặc bạn không có quyền xem.")
        perms = PermissionContext(acting_user, person)
        if not all(may_number(acting_user, person, ref, facts, perms) for ref in wanted):
            raise PermissionDenied("Vai trò của bạn không được phép cấp số cho văn bản này.")
    issued: dict[str, str] = {}
    for ref in wanted:
        issuer = issuer_of(ref, facts)
        if issuer is None:
            continue
        for attempt in range(RETRIES):
            try:
                row = _issue_one(person, ref, issuer, acting_user)
                break
            except IntegrityError:  # someone numbered it (or took that sequence number) at the same moment
                existing = PaperNumber.objects.filter(key=ref.key).first()
                if existing is not None:
                    row = existing
                    break
                if attempt == RETRIES - 1:
                    raise
        issued[ref.key] = row.number
        facts.numbers[ref.key] = row.number
    return issued


def _issue_one(person, ref: Ref, issuer: OrgUnit, acting_user) -> PaperNumber:
    form, event = ref.form, ref.event
    day = event.occurred_on
    body = words.body_symbol(issuer.kind)
    with transaction.atomic():
        # Serialise the unit's register (PostgreSQL; SQLite's IMMEDIATE transactions already do).
        OrgUnit.objects.select_for_update().filter(pk=issuer.pk).first()
        existing = PaperNumber.objects.filter(key=ref.key).first()
        if existing is not None:
            return existing
        typed = event.data.get("number") if form.typed_number else ""
        if typed:
            seq = _typed_seq(typed, issuer, day.year, body)
            number = typed
        else:
            last = PaperNumber.objects.filter(unit=issuer, year=day.year).aggregate(m=Max("seq"))["m"] or 0
            seq = last + 1
            number = words.number_text(seq, form.symbol, body)
        row = PaperNumber.objects.create(
            unit=issuer,
            year=day.year,
            seq=seq,
            number=number,
            form=form.code,
            key=ref.key,
            person=person,
            event_id=ref.event_id,
            typed=bool(typed),
            issued_on=ref.day,
            issued_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit(
            actor=acting_user,
            action="paper.number",
            obj=row,
            unit=issuer,
            summary=(
                f"{'Ghi vào sổ số đã có' if typed else 'Cấp số'} {number} — {form.title} (mẫu {form.code}) "
                f"của {person.full_name}"
            )[:500],
            after={
                "number": number,
                "form": form.code,
                "year": day.year,
                "seq": seq,
                "event_id": ref.event_id,
            },
        )
    return row


def _typed_seq(typed: str, issuer: OrgUnit, year: int, body: str) -> int | None:
    """The sequence number a typed number takes in the issuer's register, when it reads as this body's number
    and that sequence number is still free (otherwise the typed number is kept without one)."""
    match = _TYPED.match(typed)
    if not match or match.group(2).upper() != body.upper():
        return None
    seq = int(match.group(1))
    if PaperNumber.objects.filter(unit=issuer, year=year, seq=seq).exists():
        return None
    return seq
