"""Requests between organisations: background verification, transfer of membership, introduction to a new
organisation, the ward's yearly evaluation and its residence notice — one model with one life:

    draft → sent → received → answered (verification, evaluation, notice) | confirmed (transfer, introduction)
                         ↘ returned (with a reason, by the receiver)   ↘ cancelled (by the sender)

The person's holder is `Person.unit`, and only a confirmed transfer or introduction changes it: while a
request is in transit the sender still holds the person, so nobody is ever held by two organisations or
by none. A partial unique index allows at most one transfer or introduction in transit per person.

Reminders (`ketnap sweep-deadlines`) keep what they sent in `Reminder` and `Digest`; `BackgroundTask` is the
database-backed queue that runs the sweep without a broker.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from ketnap.accounts.scoping import ScopedQuerySet
from ketnap.people.models import SchoolRole


class Kind(models.TextChoices):
    VERIFICATION = "verification", "Thẩm tra lý lịch"
    TRANSFER = "transfer", "Chuyển sinh hoạt đảng"
    INTRODUCTION = "introduction", "Giới thiệu về tổ chức mới"
    WARD_EVALUATION = "ward_evaluation", "Nhận xét của đảng ủy phường"
    RESIDENCE_NOTICE = "residence_notice", "Thông báo nơi cư trú"


class Status(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SENT = "sent", "Đã gửi"
    RECEIVED = "received", "Nơi nhận đã nhận"
    ANSWERED = "answered", "Đã trả lời"
    CONFIRMED = "confirmed", "Đã xác nhận tiếp nhận"
    RETURNED = "returned", "Bị trả lại"
    CANCELLED = "cancelled", "Đã hủy"


OPEN_STATUSES = (Status.SENT, Status.RECEIVED)  # in transit: waiting for the receiver
CLOSED_STATUSES = (Status.ANSWERED, Status.CONFIRMED, Status.RETURNED, Status.CANCELLED)
MOVING_KINDS = (Kind.TRANSFER, Kind.INTRODUCTION)  # a confirmation changes the person's holder
WARD_KINDS = (Kind.WARD_EVALUATION, Kind.RESIDENCE_NOTICE)  # sent by a ward about its residents


class Trigger(models.TextChoices):
    NONE = "", "—"
    GRADUATION = "graduation", "Tốt nghiệp ra trường"
    NEW_JOB = "new_job", "Nhận công tác mới"
    RESIDENCE = "residence", "Về sinh hoạt nơi cư trú"
    STUDY = "study", "Chuyển nơi học tập"
    OTHER = "other", "Lý do khác"


class Rating(models.TextChoices):
    NONE = "", "—"
    GOOD = "good", "Tốt"
    FAIR = "fair", "Khá"
    AVERAGE = "average", "Trung bình"
    WEAK = "weak", "Chưa tốt"


class RequestBatch(models.Model):
    """Requests sent together with consecutive letter numbers (a school's graduates, a ward's evaluations)."""

    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    sender = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="request_batches")
    title = models.CharField("tên đợt", max_length=200)
    sent_on = models.DateField("ngày gửi")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELDS = ("sender__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = "đợt gửi văn bản"

    def __str__(self):
        return self.title


class Request(models.Model):
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    status = models.CharField("tình trạng", max_length=12, choices=Status.choices, default=Status.DRAFT)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="interorg_requests", verbose_name="người"
    )
    sender = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="requests_sent", verbose_name="nơi gửi"
    )
    # The person's cell when the request was drafted: it keeps following the person's request after a move.
    origin = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="chi bộ của người khi lập"
    )
    # The receiver in the system, or None for an organisation outside it (then `receiver_name` names it and
    # the sender's clerk records its answer by hand).
    receiver = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_received",
        verbose_name="nơi nhận",
    )
    receiver_name = models.CharField("tên nơi nhận", max_length=200)
    temporary = models.BooleanField("chuyển sinh hoạt tạm thời", default=False)
    trigger = models.CharField("lý do", max_length=12, choices=Trigger.choices, blank=True)
    trigger_on = models.DateField("ngày phát sinh (tốt nghiệp, nhận việc…)", null=True, blank=True)
    number = models.CharField("số văn bản", max_length=60, blank=True)
    seq = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )  # auto number in (sender, kind, year)
    content = models.TextField("nội dung", blank=True)
    rating = models.CharField("xếp loại", max_length=10, choices=Rating.choices, blank=True)

    created_on = models.DateField("ngày lập")
    sent_on = models.DateField("ngày gửi", null=True, blank=True)
    due_on = models.DateField("hạn trả lời", null=True, blank=True, db_index=True)
    due_rule = models.CharField("căn cứ thời hạn", max_length=40, blank=True)
    received_on = models.DateField("ngày nơi nhận nhận", null=True, blank=True)
    closed_on = models.DateField("ngày kết thúc", null=True, blank=True)

    # What the letter said of the person when it was sent (name, school, class): the receiver of another
    # subtree's person sees this, not the person's live record.
    person_letter = models.JSONField("người trong văn bản khi gửi", default=dict, blank=True)
    # The quarterly list (`queries.quarterly`): a sent transfer of a graduated student or pupil carries the
    # quarter it was sent in (year × 10 + quarter) and the person's sort key, so that one index gives the
    # quarter's numbers and its order without reading the persons. Kept by `quarterly_fields` when the letter is
    # sent and whenever the person is written afterwards (`QuarterlyObserver`, a people.write observer).
    quarter = models.PositiveIntegerField("quý của danh sách hằng quý", null=True, blank=True, editable=False)
    person_sort_key = models.CharField(max_length=255, blank=True, default="", editable=False)

    answer = models.TextField("nội dung trả lời", blank=True)
    concluded = models.BooleanField("đã có kết luận thẩm tra", null=True, blank=True)
    documents = models.JSONField("văn bản kèm theo", default=list, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField("lý do trả lại, hủy", blank=True)
    into = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="chi bộ tiếp nhận",
    )
    batch = models.ForeignKey(
        RequestBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Visible to both sides, to the cell that held the person when it was drafted and to whoever holds the
    # person now; an upper committee over both sides (their lowest common ancestor and above) sees it
    # through the tree.
    SCOPE_FIELDS = ("sender__path", "receiver__path", "origin__path", "person__unit__path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = "văn bản liên tổ chức"
        verbose_name_plural = "văn bản liên tổ chức"
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["person", "kind"]),
            models.Index(fields=["sender", "kind", "sent_on"]),
            models.Index(fields=["receiver", "status"]),
            models.Index(fields=["kind", "status"], name="interorg_request_kind_status"),
            models.Index(fields=["kind", "sent_on"], name="interorg_request_kind_sent"),  # the quarterly list
            models.Index(fields=["created_on", "id"], name="interorg_request_created"),  # the list's order
            models.Index(fields=["status", "closed_on"], name="interorg_request_closed"),
            # the quarterly list: its count (index only: the status is in the index) and its order (receiver,
            # name). (A condition on the status would keep SQLite from using it: the query's status is a bound
            # parameter, and SQLite uses a partial index only when the query repeats its condition literally.)
            models.Index(
                fields=["quarter", "receiver_name", "person_sort_key", "id", "status"],
                condition=Q(quarter__isnull=False),
                name="interorg_request_quarterly",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind__in=["transfer", "introduction"], status__in=["sent", "received"]),
                name="interorg_one_move_in_transit",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number or '#' + str(self.pk)}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_external(self) -> bool:
        return self.receiver_id is None

    @property
    def moves_person(self) -> bool:
        return self.kind in MOVING_KINDS

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def done_label(self) -> str:
        """What the receiver's positive answer is called for this kind."""
        return "Xác nhận tiếp nhận" if self.moves_person else "Trả lời"


class Reminder(models.Model):
    """An inbox item a user has been told about (first and latest digest that named it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    first_sent_on = models.DateField()
    last_sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="interorg_reminder_once")]

    def __str__(self):
        return f"{self.user_id} {self.key}"


class Digest(models.Model):
    """One e-mail digest per user and day: the stored record that makes the sweep idempotent."""

    class State(models.TextChoices):
        QUEUED = "queued", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Lỗi"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    new_items = models.PositiveIntegerField(default=0)
    overdue_items = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="interorg_digest_daily")]

    def __str__(self):
        return f"{self.user_id} {self.day:%d/%m/%Y}"


class BackgroundTask(models.Model):
    """A database-backed queue (no broker): `ketnap sweep-deadlines --enqueue` adds a row, a worker
    (`ketnap sweep-deadlines --worker`) claims and runs it; pages show its state and result."""

    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang chạy"
        DONE = "done", "Xong"
        FAILED = "failed", "Lỗi"

    name = models.CharField(max_length=60)
    args = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    run_after = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-enqueued_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"


STUDENT_ROLES = (SchoolRole.STUDENT, SchoolRole.PUPIL)  # the roles whose graduation the letters follow


def quarterly_fields(request: Request, person) -> tuple[int | None, str]:
    """`Request.quarter` and `Request.person_sort_key` as the quarterly list reads them: a transfer, sent, of a
    student or pupil who has graduated by then (the letter's reason is the graduation, or the expected graduation
    date is on or before the day it was sent)."""
    sent = request.sent_on
    if request.kind != Kind.TRANSFER or sent is None or person.school_role not in STUDENT_ROLES:
        return None, ""
    graduated = person.expected_graduation is not None and person.expected_graduation <= sent
    if request.trigger != Trigger.GRADUATION and not graduated:
        return None, ""
    return sent.year * 10 + (sent.month - 1) // 3 + 1, person.sort_key


def refresh_quarterly(person) -> int:
    """Bring the quarterly fields of the person's sent transfers up to date (after the person was written: a
    corrected graduation date, role or name); returns how many requests changed."""
    changed = 0
    for req in Request.objects.filter(person_id=person.pk, kind=Kind.TRANSFER, sent_on__isnull=False).only(
        "kind", "sent_on", "trigger", "quarter", "person_sort_key"
    ):
        quarter, key = quarterly_fields(req, person)
        if (quarter, key) != (req.quarter, req.person_sort_key):
            Request.objects.filter(pk=req.pk).update(quarter=quarter, person_sort_key=key)
            changed += 1
    return changed


class QuarterlyObserver:
    """people.write's observer: a person's sent transfers follow the person's graduation, role and name (the
    letters are read again only when one of these changed: most writes record a step and change none)."""

    FIELDS = ("school_role", "expected_graduation", "sort_key")

    def snapshot(self, person):
        return tuple(getattr(person, f) for f in self.FIELDS)

    def changed(self, before, person, events_before, events_after, calendar) -> None:
        if before != self.snapshot(person):
            refresh_quarterly(person)


QUARTERLY_OBSERVER = QuarterlyObserver()


def person_letter(person) -> dict:
    """The person as a letter names them (kept on the request when it is sent)."""
    school = getattr(person, "school", None)
    return {
        "name": person.full_name,
        "school": school.name if school else "",
        "class": person.faculty_class or "",
    }
