"""Persons, their append-only ledger, and the cached projection of their path."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from ketnap.accounts.scoping import ScopedQuerySet
from ketnap.core.integrity import event_digest
from ketnap.core.text import fold, sort_key

CITIZEN_ID_RE = re.compile(r"^[0-9]{12}$")  # ASCII digits only (\d would accept full-width digits)


def validate_citizen_id(value: str) -> None:
    if value and not CITIZEN_ID_RE.fullmatch(value):
        raise ValidationError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.", code="citizen_id")


class Stage(models.TextChoices):
    SOURCE = "SOURCE", "Quần chúng ưu tú (nguồn)"
    SYMPATHISER = "SYMPATHISER", "Cảm tình đảng"
    APPLICANT = "APPLICANT", "Đối tượng kết nạp"
    CELL_APPROVED = "CELL_APPROVED", "Chi bộ đã xét"
    # After the grassroots committee's vote — or, for a grassroots cell (no committee above it), after the cell's:
    # what both have in common is that the decision is next.
    COMMITTEE_APPROVED = "COMMITTEE_APPROVED", "Chờ quyết định kết nạp"
    ADMITTED = "ADMITTED", "Có quyết định kết nạp"
    PROBATIONARY = "PROBATIONARY", "Đảng viên dự bị"
    OFFICIAL = "OFFICIAL", "Đảng viên chính thức"
    REMOVED = "REMOVED", "Xóa tên"
    WITHDRAWN = "WITHDRAWN", "Rút khỏi danh sách"


PIPELINE_STAGES = [
    Stage.SOURCE,
    Stage.SYMPATHISER,
    Stage.APPLICANT,
    Stage.CELL_APPROVED,
    Stage.COMMITTEE_APPROVED,
    Stage.ADMITTED,
    Stage.PROBATIONARY,
    Stage.OFFICIAL,
]
CLOSED_STAGES = [Stage.REMOVED, Stage.WITHDRAWN]


class Gender(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class SchoolRole(models.TextChoices):
    LECTURER = "lecturer", "Giảng viên"
    TEACHER = "teacher", "Giáo viên"
    MANAGER = "manager", "Cán bộ quản lý"
    STAFF = "staff", "Nhân viên"
    STUDENT = "student", "Sinh viên"
    PUPIL = "pupil", "Học sinh"


class Education(models.TextChoices):
    PRIMARY = "primary", "Tiểu học"
    LOWER_SECONDARY = "lower_secondary", "Trung học cơ sở"
    UPPER_SECONDARY = "upper_secondary", "Trung học phổ thông"
    VOCATIONAL = "vocational", "Trung cấp"
    COLLEGE = "college", "Cao đẳng"
    UNIVERSITY = "university", "Đại học"
    POSTGRADUATE = "postgraduate", "Sau đại học"


class Person(models.Model):
    family_name = models.CharField("họ", max_length=60)
    middle_name = models.CharField("tên đệm", max_length=80, blank=True)
    given_name = models.CharField("tên", max_length=60)
    birth_date = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    citizen_id = models.CharField(
        "số CCCD", max_length=12, null=True, blank=True, unique=True, validators=[validate_citizen_id]
    )
    education = models.CharField("trình độ học vấn", max_length=20, choices=Education.choices)
    school_role = models.CharField("vai trò trong trường", max_length=20, choices=SchoolRole.choices)
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name="trường",
    )
    faculty_class = models.CharField("khoa, lớp, tổ bộ môn", max_length=120, blank=True)
    expected_graduation = models.DateField("dự kiến tốt nghiệp", null=True, blank=True)
    youth_union_member = models.BooleanField("đoàn viên", default=False)
    excellent_youth_union_member = models.BooleanField("đoàn viên ưu tú", default=False)
    residence_ward = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name="nơi cư trú (phường, xã)",
    )
    # The organisation that holds the person now (a cell, or a grassroots cell).
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="persons", verbose_name="chi bộ"
    )
    mentor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
        verbose_name="đảng viên giúp đỡ",
    )

    # --- cached projection of the ledger (rules.fold); written only through people.write (and the repairs) ---
    stage = models.CharField("giai đoạn", max_length=20, choices=Stage.choices, default=Stage.SOURCE)
    stage_since = models.DateField("từ ngày", null=True, blank=True)
    next_due = models.DateField("hạn tiếp theo", null=True, blank=True, db_index=True)
    next_due_rule = models.CharField(max_length=40, blank=True)
    warning_count = models.PositiveSmallIntegerField(default=0)
    error_count = models.PositiveSmallIntegerField(default=0)
    party_age_from = models.DateField("tuổi đảng tính từ", null=True, blank=True)
    probation_end = models.DateField("hết thời hạn dự bị", null=True, blank=True)
    official_date = models.DateField("ngày chính thức", null=True, blank=True)
    # The date of the latest awareness class (its certificate is valid AWARENESS_CERT_VALID months): the inbox
    # lists the certificates that expire before the cell's vote without reading every ledger.
    certificate_on = models.DateField(null=True, blank=True, editable=False)
    # The ledger holds a step the indicators count twice (a second awareness class…): the indicator rollup
    # counts such a person one by one, once per step, instead of in its SQL aggregates.
    repeated_step = models.BooleanField(default=False, editable=False)
    # The day of the person's first (effective) step of some kinds (`ledger.FIRST_ON`): what the indicators'
    # counts look back to (the pool's start, a stage's entry for the lead times, the Youth Union's 4-KNĐ before
    # the decision), read with the person instead of from the 43 M events of a nation.
    sourced_on = models.DateField(null=True, blank=True, editable=False)
    applied_on = models.DateField(null=True, blank=True, editable=False)
    cell_voted_on = models.DateField(null=True, blank=True, editable=False)
    youth_union_on = models.DateField(null=True, blank=True, editable=False)

    search_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_FIELDS = ("unit__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = "người"
        indexes = [
            models.Index(fields=["unit", "stage"]),
            models.Index(fields=["stage", "sort_key"]),
            # the board's most urgent cards of a stage, without sorting the stage
            models.Index(fields=["stage", "next_due", "sort_key"], name="people_person_stage_due"),
            models.Index(fields=["stage", "certificate_on"], name="people_person_certificate"),
            models.Index(fields=["stage", "probation_end"], name="people_person_probation"),
            # a stage's students graduating soonest, in the list's order (the inbox's "graduating" lists: a nation
            # has 20,000 sympathisers graduating on the same day, which (stage, graduation) alone left to a sort)
            models.Index(
                fields=["stage", "expected_graduation", "sort_key", "id"],
                name="people_person_stage_grad_order",
            ),
            # graduates in graduation order (the inbox, the weakness list), students only
            models.Index(
                fields=["expected_graduation", "sort_key"],
                name="people_person_graduation",
                condition=models.Q(expected_graduation__isnull=False),
            ),  # fmt: skip
            # the dossiers blocked by an error (few): the board's counts and the "blocked" filter
            models.Index(fields=["error_count", "stage"], name="people_person_blocked"),
            models.Index(fields=["repeated_step"], name="people_person_repeated"),
            # the list's own order, exactly: a common name searched (people.search.dense) is read in it and
            # stops at the page's end (by sort_key alone, PostgreSQL reads every person of the same name
            # — thousands in a nation — before it can order them by id). On PostgreSQL the index also holds the
            # search key, the holder and the stage (`INCLUDE`, migration 0010: SQLite has no such columns): the
            # words, the user's scope and a stage filter are checked on its entries, no row read
            # (`search.first_in_order`).
            models.Index(fields=["sort_key", "id"], name="people_person_order"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def refresh_keys(self) -> None:
        self.search_key = fold(f"{self.full_name} {self.citizen_id or ''}")
        self.sort_key = sort_key(self.family_name, self.middle_name, self.given_name)

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)

    @property
    def is_member(self) -> bool:
        return self.stage in (Stage.PROBATIONARY, Stage.OFFICIAL)


class LedgerQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Sổ sự kiện chỉ được ghi thêm; không được sửa. Hãy ghi một sự kiện đính chính.")

    def delete(self):
        raise TypeError("Sổ sự kiện chỉ được ghi thêm; không được xóa. Hãy ghi một sự kiện đính chính.")


class PersonEvent(models.Model):
    """One fact of a person's path. Append-only: a correction is a new event pointing at the old one."""

    # Rule-book kinds (spec/check-dossier.md) plus the ledger's own kinds.
    class Kind(models.TextChoices):
        SOURCE_IDENTIFIED = "source_identified", "Đưa vào nguồn"
        AWARENESS_CLASS = "awareness_class", "Học lớp bồi dưỡng nhận thức về Đảng"
        MENTOR_ASSIGNED = "mentor_assigned", "Phân công đảng viên giúp đỡ"
        APPLICATION = "application", "Đơn xin vào Đảng"
        BIOGRAPHY = "biography", "Lý lịch người xin vào Đảng"
        YOUTH_UNION_INTRODUCTION = "youth_union_introduction", "Nghị quyết giới thiệu của Đoàn"
        TRADE_UNION_INTRODUCTION = "trade_union_introduction", "Nghị quyết giới thiệu của Công đoàn"
        MEMBER_INTRODUCTION = "member_introduction", "Giấy giới thiệu của đảng viên"
        COMMENTS = "comments", "Tổng hợp ý kiến nhận xét"
        VERIFICATION = "verification", "Thẩm tra, xác minh lý lịch"
        CELL_VOTE = "cell_vote", "Chi bộ xét kết nạp"
        COMMITTEE_VOTE = "committee_vote", "Đảng ủy cơ sở xét kết nạp"
        DECISION = "decision", "Quyết định kết nạp"
        DECISION_EXTENSION = "decision_extension", "Gia hạn thời gian quyết định"
        CEREMONY = "ceremony", "Lễ kết nạp"
        CEREMONY_CONSENT = "ceremony_consent", "Đồng ý tổ chức lễ kết nạp muộn"
        NEW_MEMBER_CLASS = "new_member_class", "Lớp bồi dưỡng đảng viên mới"
        MEMBER_BIOGRAPHY = "member_biography", "Lý lịch đảng viên"
        SELF_REVIEW = "self_review", "Bản tự kiểm điểm của đảng viên dự bị"
        HELPER_COMMENTS = "helper_comments", "Nhận xét của đảng viên giúp đỡ"
        RECOGNITION_COMMENTS = "recognition_comments", "Tổng hợp nhận xét đối với đảng viên dự bị"
        AGE_CONSENT = "age_consent", "Văn bản đồng ý kết nạp người trên 60 tuổi"
        RECOGNITION_VOTE = "recognition_vote", "Chi bộ xét công nhận chính thức"
        RECOGNITION_DECISION = "recognition_decision", "Quyết định công nhận đảng viên chính thức"
        REMOVAL = "removal", "Xóa tên khỏi danh sách đảng viên dự bị"
        WITHDRAWAL = "withdrawal", "Rút khỏi danh sách"
        MEMBER_IMPORTED = "member_imported", "Nhập đảng viên đã có"
        UNIT_CHANGED = "unit_changed", "Chuyển tổ chức quản lý"
        # Ledger-only kinds of the requests between organisations (ketnap.interorg); never sent to the rules.
        VERIFICATION_REQUESTED = "verification_requested", "Gửi đề nghị thẩm tra lý lịch"
        TRANSFER_SENT = "transfer_sent", "Gửi giấy giới thiệu chuyển sinh hoạt đảng"
        TRANSFER_CONFIRMED = "transfer_confirmed", "Nơi đến xác nhận tiếp nhận sinh hoạt đảng"
        TRANSFER_RETURNED = "transfer_returned", "Nơi đến trả lại giấy chuyển sinh hoạt đảng"
        INTRODUCTION_SENT = "introduction_sent", "Giới thiệu về tổ chức đảng nơi mới"
        INTRODUCTION_CONFIRMED = "introduction_confirmed", "Nơi mới tiếp nhận người được giới thiệu"
        INTRODUCTION_RETURNED = "introduction_returned", "Nơi mới trả lại giấy giới thiệu"
        WARD_EVALUATION_SENT = "ward_evaluation_sent", "Đảng ủy phường gửi nhận xét sinh viên"
        RESIDENCE_NOTICE_SENT = "residence_notice_sent", "Đảng ủy phường thông báo nơi cư trú"
        REQUEST_RECEIVED = "request_received", "Nơi nhận đã nhận văn bản"
        REQUEST_ANSWERED = "request_answered", "Nơi nhận đã trả lời văn bản"
        REQUEST_RETURNED = "request_returned", "Nơi nhận trả lại văn bản"
        REQUEST_CANCELLED = "request_cancelled", "Hủy văn bản đã gửi"
        GRADUATE_HELD = "graduate_held", "Giữ sinh hoạt đảng sau tốt nghiệp"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    occurred_on = models.DateField("ngày")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)  # part of the event's hash
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)
    # The person's ledger is a hash chain in insertion order (ketnap.core.integrity): a changed, removed or
    # inserted event shows in `ketnap verify-audit`.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    SCOPE_FIELDS = ("person__unit__path",)
    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["person", "occurred_on"]),
            models.Index(fields=["kind", "occurred_on"]),
            # On PostgreSQL also `people_event_counted` (migration 0012, SQL: SQLite has no included columns): the
            # kinds the indicator rollup counts, with the person and the organisation, which its rebuild reads
            # index-only instead of the whole table (a kind's events are spread over every page of it).
        ]

    def __str__(self):
        return f"{self.occurred_on:%d/%m/%Y} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Sổ sự kiện chỉ được ghi thêm; không được sửa. Hãy ghi một sự kiện đính chính.")
        if self.recorded_at is None:
            self.recorded_at = timezone.now()
        # Chained to the person's latest event (the one write path holds the person's row lock meanwhile).
        self.prev_hash = (
            PersonEvent.objects.filter(person_id=self.person_id)
            .order_by("-id")
            .values_list("row_hash", flat=True)
            .first()
            or ""
        )
        self.row_hash = event_digest(self.prev_hash, self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Sổ sự kiện chỉ được ghi thêm; không được xóa. Hãy ghi một sự kiện đính chính.")
