"""`ketnap sweep-deadlines`: one digest per user and day with the new and the overdue items; a second run on
the same day queues nothing; the database-backed queue runs the same sweep in the background."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from ketnap.interorg import actions, reminders
from ketnap.interorg.models import BackgroundTask, Digest, Kind, Reminder

from .conftest import DAY, member, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def run(*args) -> dict:
    out = io.StringIO()
    call_command("sweep_deadlines", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def overdue_transfer(tree):
    person = member(tree, tree.cell_student, family_name="Lê", middle_name="Văn", given_name="Hùng")
    return actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, person=person,
                            sender=tree.uni, receiver=tree.ward_b, sent_on=today() - 90 * DAY)  # fmt: skip


def test_the_sweep_mails_each_user_once_a_day(tree, mailbox):
    overdue_transfer(tree)
    for user in tree.users.values():
        user.email = f"{user.username}@ketnap.example"
        user.save()
    first = run()
    assert first["queued"] >= 2 and first["sent"] == first["queued"]
    to = {m.to[0] for m in mailbox}
    assert "ward_b@ketnap.example" in to and "uni_committee@ketnap.example" in to
    ward_mail = next(m for m in mailbox if m.to == ["ward_b@ketnap.example"])
    assert (
        "quá hạn" in ward_mail.subject
        and "Lê Văn Hùng" in ward_mail.body
        and "VIỆC QUÁ HẠN" in ward_mail.body
    )
    second = run()
    assert second["queued"] == 0 and second["already"] == first["queued"]
    assert len(mailbox) == first["queued"]
    assert Digest.objects.count() == first["queued"]


def test_the_next_day_names_only_new_items_and_the_overdue_ones_again(tree, mailbox):
    overdue_transfer(tree)
    ward = tree.users["ward_b"]
    ward.email = "ward@ketnap.example"
    ward.save()
    run("--day", (today() - DAY).isoformat())
    keys = set(Reminder.objects.filter(user=ward).values_list("key", flat=True))
    assert keys
    run("--day", today().isoformat())
    digest = Digest.objects.get(user=ward, day=today())
    assert digest.new_items == 0 and digest.overdue_items >= 1


def test_users_without_email_or_without_items_get_nothing(tree, mailbox):
    summary = run()
    assert summary["queued"] == 0 and mailbox == []


def test_the_sweep_runs_on_the_database_queue(tree, mailbox):
    overdue_transfer(tree)
    ward = tree.users["ward_b"]
    ward.email = "ward@ketnap.example"
    ward.save()
    enqueued = run("--enqueue")
    task = BackgroundTask.objects.get(pk=enqueued["enqueued"])
    assert task.state == "queued"
    out = io.StringIO()
    call_command("sweep_deadlines", "--worker", "--once", stdout=out, stderr=io.StringIO())
    task.refresh_from_db()
    assert task.state == "done" and task.result["queued"] == 1
    assert reminders.claim() is None  # nothing left
    assert len(mailbox) == 1


def test_a_failing_task_keeps_its_error(tree, monkeypatch):
    task = reminders.enqueue()
    monkeypatch.setitem(reminders.TASKS, reminders.SWEEP_TASK, lambda args: 1 / 0)
    reminders.run(reminders.claim())
    task.refresh_from_db()
    assert task.state == "failed" and "ZeroDivisionError" in task.error


def test_the_daily_worker_keeps_one_sweep_queued(tree):
    import datetime

    reminders.ensure_daily(datetime.time(6, 30))
    reminders.ensure_daily(datetime.time(6, 30))
    queued = BackgroundTask.objects.filter(state="queued")
    assert queued.count() == 1
    assert queued.get().run_after > reminders.timezone.now()


def test_the_reminder_page_shows_the_runs_and_queues_one(client, tree):
    from django.urls import reverse

    client.force_login(tree.users["ward_b"])
    assert client.get(reverse("reminder-runs")).status_code == 403
    client.force_login(tree.users["city_admin"])
    assert client.post(reverse("reminder-runs")).status_code == 302
    task = BackgroundTask.objects.get()
    reminders.run(reminders.claim())
    page = client.get(reverse("reminder-runs")).content.decode()
    assert f'data-task="{task.pk}"' in page and "Xong" in page
