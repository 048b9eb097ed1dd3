"""The persons follow a change of the organisation tree (receivers of `orgs.actions`' hooks, registered in
`PeopleConfig.ready`): a merge moves every person the absorbed unit holds through the one write path, with a
`unit_changed` event dated on the merge (the ledger keeps where the person was before, so past admissions stay
the absorbed unit's); a unit still holding persons cannot be dissolved."""

from ketnap.orgs.models import OrgUnit
from ketnap.people import ledger, write
from ketnap.people.models import Person, PersonEvent


def on_unit_merged(*, source: OrgUnit, target: OrgUnit, on, acting_user, report: dict, **kwargs) -> None:
    calendar = ledger.load_calendar()
    held = list(Person.objects.filter(unit=source).order_by("pk").values_list("pk", flat=True))
    for pk in held:
        w = write.lock(pk, calendar)
        person = w.person
        w.append(
            PersonEvent.Kind.UNIT_CHANGED,
            on=on,
            org=target,
            actor=acting_user,
            data={"from_id": source.pk, "from_name": source.name, "to_id": target.pk, "to_name": target.name,
                  "merge": True},
            note=f"Sáp nhập {source.name} vào {target.name}",
        )  # fmt: skip
        person.unit = target
        w.finish(fields=("unit",))
    report["persons"] = len(held)
    if source.kind == OrgUnit.Kind.WARD:
        residents = list(Person.objects.filter(residence_ward=source).values_list("pk", flat=True))
        for pk in residents:
            w = write.lock(pk, calendar)
            w.person.residence_ward = target
            w.finish(fields=("residence_ward",))
        report["residents"] = len(residents)


def on_unit_contents(*, unit: OrgUnit, found: list, **kwargs) -> None:
    held = Person.objects.filter(unit=unit)
    count = held.count()
    if count:
        names = [p.full_name for p in held.order_by("sort_key", "id")[:3]]
        more = f" và {count - 3} người khác" if count > 3 else ""
        found.append(("persons", count, f"{count} người đang sinh hoạt, theo dõi ({', '.join(names)}{more})"))
