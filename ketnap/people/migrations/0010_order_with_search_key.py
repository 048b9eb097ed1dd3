# The list's order index also holds the search key on PostgreSQL (people.search.first_in_order); the new index
# is built before the old one goes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0003_list_indexes'),
        ('people', '0009_graduating_order'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['sort_key', 'id'], include=('search_key',), name='people_person_order_search'),
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='people_person_order',
        ),
    ]
