"""The example files of docs/import.md import cleanly (into the test tree, whose codes they use)."""

from pathlib import Path

import pytest

from ketnap.exchange import actions
from ketnap.people.models import Person

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


@pytest.mark.parametrize("name, kind, unit, user, created", [
    ("nguoi.xlsx", "persons", "cell_student", "cell_secretary", 4),
    ("nguoi.csv", "persons", "cell_student", "cell_secretary", 2),
    ("cay-to-chuc.xlsx", "tree", "city", "city_admin", 4),
])  # fmt: skip
def test_the_documented_examples_import_without_a_rejected_row(tree, name, kind, unit, user, created):
    job = actions.start(acting_user=tree.users[user], unit=getattr(tree, unit), kind=kind, filename=name,
                        data=(EXAMPLES / name).read_bytes())  # fmt: skip
    job = actions.check(job.pk)
    assert job.status == "checked", job.error
    assert job.counts["rejected"] == 0 and job.counts["create"] == created, job.result["rows"]
    actions.begin_commit(job, acting_user=tree.users[user])
    assert actions.commit(job.pk).status == "committed"
    if name == "nguoi.xlsx":
        stages = dict(Person.objects.values_list("given_name", "stage"))
        assert stages == {"Khai": "SOURCE", "Toản": "APPLICANT", "Riêng": "OFFICIAL", "Đồng": "PROBATIONARY"}
