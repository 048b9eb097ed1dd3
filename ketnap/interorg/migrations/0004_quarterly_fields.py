# The quarterly list reads the quarter and the person's sort key from the letter (interorg.models.quarterly_fields);
# the letters already sent get them here, in one statement (the SQL is written here so the migration never changes).

from django.conf import settings
from django.db import migrations, models

QUARTER = {
    "postgresql": "(EXTRACT(YEAR FROM r.sent_on)::int * 10 + EXTRACT(QUARTER FROM r.sent_on)::int)",
    "sqlite": "(CAST(strftime('%Y', r.sent_on) AS INTEGER) * 10 + (CAST(strftime('%m', r.sent_on) AS INTEGER) + 2) / 3)",
}
FILL = """UPDATE interorg_request AS r SET quarter = {quarter}, person_sort_key = p.sort_key
FROM people_person AS p
WHERE p.id = r.person_id AND r.kind = 'transfer' AND r.sent_on IS NOT NULL AND p.school_role IN ('student', 'pupil')
  AND (r.trigger = 'graduation' OR p.expected_graduation <= r.sent_on)"""


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in QUARTER:
        schema_editor.execute(FILL.format(quarter=QUARTER[vendor]))


class Migration(migrations.Migration):

    dependencies = [
        ('interorg', '0003_list_indexes'),
        ('orgs', '0003_list_indexes'),
        ('people', '0009_graduating_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='request',
            name='person_sort_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name='request',
            name='quarter',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='quý của danh sách hằng quý'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("quarter__isnull", False)),
                fields=["quarter", "receiver_name", "person_sort_key", "id", "status"],
                name="interorg_request_quarterly",
            ),
        ),
    ]
