"""From a person's ledger to the papers it supports and the facts each paper prints.

`refs_for(person, events)` lists the papers in the dossier's order (one per form and ledger entry; the blank
application and biography forms also before they are recorded). `Facts` reads the ledger once; `context(ref)`
gives a form's template everything it prints: names in full, dates as the forms write them, vote counts and
percentages, the issuing body and the organisation above it as the tree stood on the paper's date
(`orgs.actions.parent_on`), the paper's number. What the ledger does not know is left to the template's
dotted lines (`words.dots`), never invented.

Unit renames are not modelled yet: a unit's current name is used for every date.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from ketnap.orgs.actions import parent_on
from ketnap.orgs.models import OrgUnit
from ketnap.papers import words
from ketnap.papers.catalog import BLANK_FORMS, BY_CODE, FORMS, Form
from ketnap.people import ledger
from ketnap.people.actions import deciders_for
from ketnap.people.models import Person, PersonEvent
from ketnap.rules.book import document_on

GRASSROOTS_KINDS = (OrgUnit.Kind.GRASSROOTS, OrgUnit.Kind.GRASSROOTS_CELL, OrgUnit.Kind.WARD)


@dataclass
class Ref:
    """One paper of a person: its form and the ledger entry it records (as that entry stands now)."""

    form: Form
    event: PersonEvent | None
    key: str  # the register's key: the form and the original entry ("6-KNĐ:412"), or the person
    partner: PersonEvent | None = None  # 3A-KNĐ: the second introducing member's letter

    @property
    def day(self) -> datetime.date | None:
        if self.event is None or self.form.code == "15-KNĐ":  # 15-KNĐ: the committee's date is not recorded
            return None
        return self.event.occurred_on

    @property
    def event_id(self) -> int | None:
        """The original ledger entry (a correction prints under the original's number)."""
        return None if self.event is None else (self.event.corrects_id or self.event.id)

    @property
    def slug(self) -> str:
        return self.form.slug if self.event is None else f"{self.form.slug}/{self.event_id}"


def original_id(event: PersonEvent) -> int:
    return event.corrects_id or event.id


def key_of(form: Form, person: Person, event: PersonEvent | None) -> str:
    return f"{form.code}:{original_id(event)}" if event is not None else f"{form.code}:p{person.pk}"


def refs_for(person: Person, events, *, dossier: bool = False) -> list[Ref]:
    """The papers the person's ledger supports, in the order the guide lists the dossier. ``dossier``: only
    those that belong in the whole dossier (7-KNĐ exists only where a partial committee does)."""
    effective = ledger.effective_events(events)
    by_kind: dict[str, list[PersonEvent]] = defaultdict(list)
    for ev in effective:
        by_kind[ev.kind].append(ev)
    out: list[Ref] = []
    for form in FORMS:
        if dossier and not form.in_dossier:
            continue
        entries = [ev for kind in form.kinds for ev in by_kind.get(kind, [])]
        if form.code == "3A-KNĐ":
            if len(entries) >= 2:
                out.append(Ref(form, entries[0], key_of(form, person, entries[0]), partner=entries[1]))
            continue
        if form.code == "15-KNĐ":
            entries = [ev for ev in entries if not ledger.no_committee_above(ev.org)]
        if not entries and form.code in BLANK_FORMS:
            out.append(Ref(form, None, key_of(form, person, None)))
        out.extend(Ref(form, ev, key_of(form, person, ev)) for ev in entries)
    return out


def find_ref(person: Person, events, slug: str, event_id: int | None) -> Ref | None:
    for ref in refs_for(person, events):
        if ref.form.slug == slug and (ref.event_id == event_id or (ref.event is None and event_id is None)):
            return ref
    return None


# ------------------------------------------------------------------------------------------ the tree then


def grassroots_on(unit: OrgUnit, day: datetime.date) -> OrgUnit | None:
    """The grassroots organisation (grassroots committee or cell, or the ward) the unit belonged to on
    ``day``, walking the effective-dated tree."""
    seen = 0
    while unit is not None and seen < 12:
        if unit.kind in GRASSROOTS_KINDS:
            return unit
        unit = parent_on(unit, day) or (unit.parent if unit.parent_id else None)
        seen += 1
    return None


def upper_name(unit: OrgUnit | None, day: datetime.date | None) -> str:
    """The heading's upper line: the party organisation the issuing body belonged to on that day."""
    if unit is None:
        return ""
    parent = parent_on(unit, day) if day else None
    if parent is None:
        parent = unit.parent if unit.parent_id else None
    return words.organisation_of(parent.name) if parent is not None else ""


# ------------------------------------------------------------------------------------------ facts


@dataclass
class Vote:
    day: datetime.date
    members: int | None
    in_favour: int | None

    @property
    def percent(self) -> str:
        return words.percent(self.in_favour, self.members)


@dataclass
class Facts:
    """A person's ledger read once for all their papers."""

    person: Person
    effective: list[PersonEvent]
    numbers: dict[str, str] = field(default_factory=dict)  # register key -> number as issued
    _units: dict[int, OrgUnit | None] = field(default_factory=dict)

    @classmethod
    def of(cls, person: Person, events, numbers: dict[str, str] | None = None) -> Facts:
        return cls(person, ledger.effective_events(events), dict(numbers or {}))

    def latest(self, kind: str, on: datetime.date | None = None) -> PersonEvent | None:
        for ev in reversed(self.effective):
            if ev.kind == kind and (on is None or ev.occurred_on <= on):
                return ev
        return None

    def all(self, kind: str) -> list[PersonEvent]:
        return [ev for ev in self.effective if ev.kind == kind]

    def unit(self, pk) -> OrgUnit | None:
        if not pk:
            return None
        if pk not in self._units:
            self._units[pk] = OrgUnit.objects.filter(pk=pk).first()
        return self._units[pk]

    def decider(self) -> OrgUnit | None:
        decision = self.latest("decision")
        return self.unit(decision.data.get("decider_id")) if decision is not None else None

    def number_of(self, form_code: str, event: PersonEvent | None) -> str:
        """The number of another paper of this person (a resolution a later paper cites), if issued."""
        if event is None:
            return ""
        form = BY_CODE[form_code]
        if form.typed_number and event.data.get("number"):
            return event.data["number"]
        return self.numbers.get(f"{form_code}:{original_id(event)}", "")

    def member(self, pk) -> Person | None:
        """An introducing member who is in the system (their date of admission and cell)."""
        if not pk:
            return None
        return Person.objects.select_related("unit").filter(pk=pk).first()

    def mentor_name(self) -> str:
        assigned = self.latest("mentor_assigned")
        if assigned is not None and assigned.data.get("mentor_name"):
            return assigned.data["mentor_name"]
        return self.person.mentor.full_name if self.person.mentor_id else ""


def vote_of(event: PersonEvent | None, members_key: str = "official_members") -> Vote | None:
    if event is None:
        return None
    return Vote(event.occurred_on, event.data.get(members_key), event.data.get("in_favour"))


def issuer_of(ref: Ref, facts: Facts) -> OrgUnit | None:
    """The party body that issues the paper (None for a paper of a person or of a mass organisation)."""
    person, ev = facts.person, ref.event
    day = ref.event.occurred_on if ref.event is not None else None
    cell = ev.org if ev is not None else person.unit
    who = ref.form.issuer
    if who == "cell":
        return cell
    if who == "grassroots":
        return grassroots_on(cell, day) if day else cell.grassroots()
    if who == "decider":
        if ev is not None and ev.kind == "decision" and ev.data.get("decider_id"):
            found = facts.unit(ev.data["decider_id"])
            if found is not None:
                return found
        found = facts.decider()
        if found is not None:
            return found
        grassroots = grassroots_on(cell, day) if day else cell.grassroots()
        return grassroots or cell
    return None


def number_for(ref: Ref, facts: Facts) -> str:
    """The paper's number: typed into the ledger, or issued by the register; "" when none is issued yet."""
    form, ev = ref.form, ref.event
    if form.typed_number and ev is not None and ev.data.get("number"):
        return ev.data["number"]
    return facts.numbers.get(ref.key, "")


def context_place() -> str:
    """The place line's city (settings.KETNAP_PAPER_PLACE)."""
    return getattr(settings, "KETNAP_PAPER_PLACE", "Thành phố Hồ Chí Minh")


def regulation(day: datetime.date | None) -> dict:
    """The texts in force on the paper's date (the rule book's period table): the regulation and the guidance
    on the Charter."""
    on = day or datetime.date.max
    qd = document_on("QD", on)
    hd = document_on("HD", on)
    return {"qd": qd["code"], "qd_signed": _iso(qd.get("signed")), "hd": hd["code"].split("/20")[0],
            "hd_signed": _iso(hd.get("signed"))}  # fmt: skip


def _iso(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def context(ref: Ref, facts: Facts, *, anchor: str = "") -> dict:
    """Everything the form's template prints."""
    person, ev, form = facts.person, ref.event, ref.form
    day = ref.day
    cell = ev.org if ev is not None else person.unit
    issuer = issuer_of(ref, facts)
    number = number_for(ref, facts)
    body = words.body_symbol(issuer.kind) if issuer is not None else ""
    when = ev.occurred_on if ev is not None else None
    grassroots = grassroots_on(cell, when) if when else cell.grassroots()
    decision = facts.latest("decision")
    ceremony = facts.latest("ceremony")
    decider = facts.decider()
    cell_vote = facts.latest("cell_vote", when) if ev is not None else facts.latest("cell_vote")
    committee_vote = (
        facts.latest("committee_vote", when) if ev is not None else facts.latest("committee_vote")
    )
    recognition_vote = facts.latest("recognition_vote", when) if ev is not None else None
    intro = (ev.data.get("introducer") or {}) if ev is not None and ev.kind == "member_introduction" else {}
    partner = (ref.partner.data.get("introducer") or {}) if ref.partner is not None else {}
    verification = facts.latest("verification", when)
    if decider is None:  # not decided yet: the standing board of the directly higher committee
        possible = deciders_for(person)
        decider = possible[-1] if possible else None
    decider_board = decider is not None and not (decision is not None and decision.data.get("authorized"))
    return {
        "form": form,
        "anchor": anchor or f"paper-{form.slug}",
        "place": context_place(),
        "day": day,
        "event": ev,
        "data": ev.data if ev is not None else {},
        "number": number,
        "number_line": number or words.blank_number(form.symbol, body),
        "issuer": issuer,
        "issuer_name": issuer.name if issuer is not None else "",
        "upper_name": upper_name(issuer, day or when),
        "person": person,
        "cell": cell,
        "cell_upper": upper_name(cell, when),
        "grassroots": grassroots,
        "grassroots_is_cell": grassroots is not None and grassroots.pk == cell.pk,
        "decider": decider,
        "decider_board": decider_board,
        "sign_for": "T/M BAN THƯỜNG VỤ" if decider_board else "T/M ĐẢNG ỦY",
        "recipients": recipients(form, cell, grassroots, decider, issuer, person),
        "awareness": facts.latest("awareness_class"),
        "decision": decision,
        "decision_number": facts.number_of("9-KNĐ", decision),
        "ceremony": ceremony,
        "cell_vote": vote_of(cell_vote),
        "cell_vote_number": facts.number_of("6-KNĐ", cell_vote),
        "committee_vote": vote_of(committee_vote, "members"),
        "committee_vote_number": facts.number_of("8-KNĐ", committee_vote),
        "recognition_vote": vote_of(recognition_vote),
        "recognition_vote_number": facts.number_of("13-KNĐ", recognition_vote),
        "vote": vote_of(
            ev, "members" if ev is not None and ev.kind == "committee_vote" else "official_members"
        ),
        "introducer": intro,
        "introducer_person": facts.member(intro.get("person_id")),
        "introducer_official": _iso(intro.get("official_since")),
        "introducer_cowork": _iso(intro.get("cowork_since")),
        "partner": partner,
        "partner_official": _iso(partner.get("official_since")),
        "partner_cowork": _iso(partner.get("cowork_since")),
        "mentor_name": facts.mentor_name(),
        "verification": verification,
        "application": facts.latest("application"),
        "youth_union_member": person.youth_union_member,
        "regulation": regulation(day or when),
    }


def recipients(form: Form, cell, grassroots, decider, issuer, person) -> list[str]:
    """ "Nơi nhận" of a party document: the body it goes to, those who act on it, the file copy."""
    upper = decider.name if decider is not None else (grassroots.name if grassroots is not None else "")
    code = form.code
    if code in ("5-KNĐ", "12-KNĐ"):
        return [cell.name, "Lưu hồ sơ"]
    if code in ("6-KNĐ", "13-KNĐ"):
        to = grassroots.name if grassroots is not None and grassroots.pk != cell.pk else upper
        return [n for n in (to, "Lưu chi bộ") if n]
    if code == "7-KNĐ":
        return [n for n in (grassroots.name if grassroots else "", "Lưu đảng ủy bộ phận") if n]
    if code in ("8-KNĐ", "15-KNĐ"):
        to = (
            f"Ban Thường vụ {upper}"
            if upper and (issuer is None or decider is None or issuer.pk != decider.pk)
            else ""
        )
        return [n for n in (to, cell.name, "Lưu văn phòng đảng ủy") if n]
    if code in ("9-KNĐ", "QĐ-CN"):
        out = [cell.name]
        if (
            grassroots is not None
            and grassroots.pk != cell.pk
            and (issuer is None or grassroots.pk != issuer.pk)
        ):
            out.append(grassroots.name)
        return [*out, f"Đồng chí {person.full_name}", "Lưu hồ sơ đảng viên"]
    return []
