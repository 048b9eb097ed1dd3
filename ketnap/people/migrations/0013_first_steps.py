"""The day of each person's first step of four kinds, cached on the person (people.ledger.FIRST_ON), filled
from the ledgers: by one statement for the events no correction touches, then again, event by event, for the
persons whose ledger has a correction (the latest correction replaces its original, a void drops it)."""

from collections import defaultdict

from django.db import migrations, models

FIRST_ON = {
    "source_identified": "sourced_on",
    "application": "applied_on",
    "cell_vote": "cell_voted_on",
    "youth_union_introduction": "youth_union_on",
}


def fill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PersonEvent = apps.get_model("people", "PersonEvent")
    person_t, event_t = Person._meta.db_table, PersonEvent._meta.db_table
    kinds = ", ".join(f"'{k}'" for k in FIRST_ON)
    plain = f"e.corrects_id IS NULL AND NOT EXISTS (SELECT 1 FROM {event_t} c WHERE c.corrects_id = e.id)"
    if schema_editor.connection.vendor == "postgresql":
        firsts = ", ".join(
            f"MIN(e.occurred_on) FILTER (WHERE e.kind = '{k}') AS {f}" for k, f in FIRST_ON.items()
        )
        sets = ", ".join(f"{f} = x.{f}" for f in FIRST_ON.values())
        schema_editor.execute(
            f"UPDATE {person_t} p SET {sets} FROM (SELECT e.person_id, {firsts} FROM {event_t} e "
            f"WHERE e.kind IN ({kinds}) AND {plain} GROUP BY e.person_id) x WHERE x.person_id = p.id"
        )
    else:
        sets = ", ".join(
            f"{f} = (SELECT MIN(e.occurred_on) FROM {event_t} e WHERE e.person_id = {person_t}.id "
            f"AND e.kind = '{k}' AND {plain})"
            for k, f in FIRST_ON.items()
        )
        schema_editor.execute(f"UPDATE {person_t} SET {sets}")
    corrected = set(PersonEvent.objects.exclude(corrects=None).values_list("person_id", flat=True))
    ids = sorted(corrected)
    for i in range(0, len(ids), 1000):
        part = ids[i : i + 1000]
        events = defaultdict(list)
        for ev in PersonEvent.objects.filter(person_id__in=part).order_by("id"):
            events[ev.person_id].append(ev)
        changed = []
        for person in Person.objects.filter(pk__in=part):
            latest, originals = {}, []
            for ev in events[person.pk]:
                if ev.corrects_id:
                    latest[ev.corrects_id] = ev
                else:
                    originals.append(ev)
            effective = [latest.get(ev.id, ev) for ev in originals]
            effective = [ev for ev in effective if not (ev.data or {}).get("void")]
            for kind, field in FIRST_ON.items():
                days = [ev.occurred_on for ev in effective if ev.kind == kind]
                setattr(person, field, min(days) if days else None)
            changed.append(person)
        Person.objects.bulk_update(changed, list(FIRST_ON.values()))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0012_rollup_counted_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="applied_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="cell_voted_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="sourced_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="youth_union_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
