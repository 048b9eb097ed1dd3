"""Organisation pages: the tree and a unit's page within scope; adding a source to a cell."""

import re

import pytest
from django.urls import reverse

from ketnap.people.models import Person
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, db):
    for url in (reverse("org-tree"), reverse("org-detail", args=[1]), reverse("org-add-source", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_tree_shows_only_the_visible_subtree_with_counts(client, tree):
    make_person(tree.cell_a)
    make_person(tree.cell_a, given_name="Bình")
    make_person(tree.cell_b)
    client.force_login(tree.users["ward_a"])
    page = client.get(reverse("org-tree")).content.decode()
    assert tree.ward_a.name in page and tree.cell_a.name in page
    assert tree.ward_b.name not in page and tree.cell_b.name not in page and tree.city.name not in page
    row = page.split(f'data-unit="{tree.ward_a.pk}"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row)[:2] == ["0", "2"]  # own, subtree


def test_city_tree_is_indented_by_depth(client, tree):
    client.force_login(tree.users["city_viewer"])
    page = client.get(reverse("org-tree")).content.decode()
    assert 'style="--indent: 0"' in page and 'style="--indent: 3"' in page
    assert page.index(tree.upper.name) < page.index(tree.uni.name) < page.index(tree.cell_student.name)


def test_tree_search_ignores_accents(client, tree):
    client.force_login(tree.users["city_viewer"])
    page = client.get(reverse("org-tree"), {"q": "ben thanh"}).content.decode()
    assert tree.ward_a.name in page and tree.ward_b.name not in page


def test_unit_page_lists_children_schools_members_pool_and_authorizations(client, tree):
    member = make_person(tree.cell_student, given_name="Viên")
    Person.objects.filter(pk=member.pk).update(stage="OFFICIAL")
    make_person(tree.cell_student, given_name="Nguồn")
    client.force_login(tree.users["uni_committee"])
    page = client.get(reverse("org-detail", args=[tree.uni.pk])).content.decode()
    assert tree.cell_student.name in page and tree.school_uni.name in page
    assert "15-QĐ/ĐU" in page and "01/01/2024" in page  # the authorisation, dated dd/mm/yyyy
    page = client.get(reverse("org-detail", args=[tree.cell_student.pk])).content.decode()
    members = page.split('id="members"')[1].split("</table>")[0]
    pool = page.split('id="pool"')[1].split("</table>")[0]
    assert "Nguyễn Văn Viên" in members and "Nguyễn Văn Nguồn" not in members
    assert "Nguyễn Văn Nguồn" in pool
    assert 'id="add-source-link"' in page


def test_unit_out_of_scope_is_404(client, tree):
    client.force_login(tree.users["ward_a"])
    assert client.get(reverse("org-detail", args=[tree.ward_a.pk])).status_code == 200
    assert client.get(reverse("org-detail", args=[tree.ward_b.pk])).status_code == 404
    assert client.get(reverse("org-detail", args=[tree.cell_b.pk])).status_code == 404
    assert client.get(reverse("org-add-source", args=[tree.cell_b.pk])).status_code == 404


def test_viewer_may_not_add_a_source(client, tree):
    client.force_login(tree.users["cell_viewer"])
    assert client.get(reverse("org-add-source", args=[tree.cell_student.pk])).status_code == 403
    page = client.get(reverse("org-detail", args=[tree.cell_student.pk])).content.decode()
    assert 'id="add-source-link"' not in page


SOURCE = {
    "full_name": "Nguyễn Thị Minh Khai",
    "birth_date": "15/03/2005",
    "gender": "F",
    "citizen_id": "079305001234",
    "education": "upper_secondary",
    "school_role": "student",
    "faculty_class": "K23 CNTT",
    "expected_graduation": "30/06/2027",
    "youth_union_member": "on",
    "excellent_youth_union_member": "on",
    "occurred_on": "01/10/2025",
}


def test_clerk_adds_a_source_to_the_cell(client, tree):
    client.force_login(tree.users["cell_clerk"])
    page = client.get(reverse("org-add-source", args=[tree.cell_student.pk])).content.decode()
    assert 'id="id_full_name"' in page and 'placeholder="dd/mm/yyyy"' in page
    data = {**SOURCE, "school": tree.school_uni.pk, "residence_ward": tree.ward_b.pk}
    response = client.post(reverse("org-add-source", args=[tree.cell_student.pk]), data)
    person = Person.objects.get(citizen_id="079305001234")
    assert response.status_code == 302 and response["Location"] == reverse("person-detail", args=[person.pk])
    assert (person.family_name, person.middle_name, person.given_name) == ("Nguyễn", "Thị Minh", "Khai")
    assert person.unit == tree.cell_student and person.school == tree.school_uni
    assert person.stage == "SOURCE" and person.events.filter(kind="source_identified").count() == 1
    assert person.expected_graduation.isoformat() == "2027-06-30" and person.excellent_youth_union_member


def test_source_form_reports_errors_and_keeps_the_values(client, tree):
    client.force_login(tree.users["cell_clerk"])
    url = reverse("org-add-source", args=[tree.cell_student.pk])
    response = client.post(url, {**SOURCE, "citizen_id": "07930500", "birth_date": "1/13/2005"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "phải gồm đúng 12 chữ số" in page and "dd/mm/yyyy" in page
    assert 'value="Nguyễn Thị Minh Khai"' in page and 'value="K23 CNTT"' in page
    assert not Person.objects.exists()
    client.post(url, SOURCE)
    page = client.post(url, {**SOURCE, "full_name": "Trần Văn Bình"}).content.decode()
    assert "CCCD" in page and Person.objects.count() == 1  # the citizen id is unique


def test_source_form_offers_only_visible_schools(client, tree):
    client.force_login(tree.users["secretary_a"])
    page = client.get(reverse("org-add-source", args=[tree.cell_a.pk])).content.decode()
    select = page.split('name="school"')[1].split("</select>")[0]
    assert (
        tree.school_a.name in select
        and tree.school_b.name not in select
        and tree.school_uni.name not in select
    )
    response = client.post(reverse("org-add-source", args=[tree.cell_a.pk]),
                           {**SOURCE, "school": tree.school_b.pk})  # fmt: skip
    assert response.status_code == 200 and not Person.objects.exists()


def test_adding_a_source_to_a_committee_is_redirected(client, tree):
    client.force_login(tree.users["uni_committee"])
    response = client.get(reverse("org-add-source", args=[tree.uni.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("org-detail", args=[tree.uni.pk])


def test_source_form_preselects_the_cells_school_and_student_role(client, tree):
    client.force_login(tree.users["cell_clerk"])
    page = client.get(reverse("org-add-source", args=[tree.cell_student.pk])).content.decode()
    assert f'<option value="{tree.school_uni.pk}" selected>' in page
    assert '<option value="student" selected>' in page
