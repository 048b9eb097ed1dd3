"""Forms of the person page: one per kind of ledger event, each calling ONE action of people.actions.

Field names are a contract for the browser tests: every form has `occurred_on` (text, dd/mm/yyyy) and
`note`; ids are `id_<kind>_<field>` so that several forms can live on one page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.core.text import split_full_name
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit
from ketnap.people import actions, queries
from ketnap.people.models import CITIZEN_ID_RE, Education, Gender, PersonEvent, SchoolRole, Stage

K = PersonEvent.Kind
DATE_ATTRS = {
    "placeholder": "dd/mm/yyyy",
    "pattern": r"\d{1,2}/\d{1,2}/\d{4}",
    "title": "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/04/2026",
    "autocomplete": "off",
    "inputmode": "numeric",
    "class": "form-control",
}
DATE_ERRORS = {"invalid": "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 02/04/2026."}


class VNDateField(forms.DateField):
    """A text input that accepts dd/mm/yyyy (and ISO yyyy-mm-dd)."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y", attrs=dict(DATE_ATTRS)))
        kwargs.setdefault("error_messages", DATE_ERRORS)
        super().__init__(*args, **kwargs)


def _count_field(label: str, **kw) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10000,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "min": 0}),
        **kw,
    )


def _text(label: str, required=False, max_length=120, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "form-control", **attrs}),
    )


def _check(label: str, initial=False) -> forms.BooleanField:
    return forms.BooleanField(
        label=label,
        required=False,
        initial=initial,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class MarkInvalidMixin:
    """Adds Bootstrap's `is-invalid` to a field's widget whenever the field gets an error."""

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else list(getattr(error, "error_dict", {}) or {})
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = (css + " is-invalid").strip()


class ActionForm(MarkInvalidMixin, forms.Form):
    date_label = "Ngày"
    occurred_on = VNDateField(label="Ngày")
    note = _text("Ghi chú", max_length=500)

    def __init__(self, data=None, *, person, user, kind: str, today: datetime.date, **kwargs):
        kwargs.setdefault("auto_id", f"id_{kind}_%s")
        super().__init__(data, **kwargs)
        self.person, self.user, self.kind, self.today = person, user, kind, today
        self.fields["occurred_on"].label = self.date_label
        self.fields["occurred_on"].initial = today
        self.refusals: list = []
        self.order_fields([*[n for n in self.fields if n != "note"], "note"])

    def perform(self):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def _common(self) -> dict:
        return {
            "acting_user": self.user,
            "occurred_on": self.cleaned_data["occurred_on"],
            "note": self.cleaned_data.get("note") or "",
        }

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > self.today:
            raise ValidationError("Ngày của sự kiện không được sau ngày hôm nay.")
        return day

    def add_refusals(self, refusals) -> None:
        self.refusals = list(refusals)

    def add_validation_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class AwarenessClassForm(ActionForm):
    date_label = "Ngày cấp giấy chứng nhận"
    certificate_number = _text("Số giấy chứng nhận", max_length=60)

    def perform(self):
        return actions.record_awareness_class(
            self.person, certificate_number=self.cleaned_data["certificate_number"], **self._common()
        )


class MentorForm(ActionForm):
    date_label = "Ngày phân công"
    mentor = forms.TypedChoiceField(
        label="Đảng viên chính thức giúp đỡ", coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = queries.mentor_options(self.user, self.person)
        self.fields["mentor"].choices = [("", "— Chọn đảng viên —"), *options]

    def perform(self):
        mentor = queries.mentor_for(self.user, self.cleaned_data["mentor"])
        return actions.assign_mentor(self.person, mentor, **self._common())


class DocumentForm(ActionForm):
    date_label = "Ngày của văn bản"
    number = _text("Số văn bản (nếu có)", max_length=60)

    def perform(self):
        return actions.record_document(
            self.person, self.kind, number=self.cleaned_data["number"], **self._common()
        )


class UnionIntroductionForm(ActionForm):
    date_label = "Ngày nghị quyết giới thiệu"
    number = _text("Số nghị quyết", max_length=60)

    def perform(self):
        return actions.record_union_introduction(
            self.person,
            trade_union=self.kind == K.TRADE_UNION_INTRODUCTION,
            number=self.cleaned_data["number"],
            **self._common(),
        )


class MemberIntroductionForm(ActionForm):
    date_label = "Ngày giới thiệu"
    introducer_name = _text("Họ và tên đảng viên giới thiệu", required=True, max_length=120)
    official_since = VNDateField(label="Là đảng viên chính thức từ ngày")
    cowork_since = VNDateField(label="Cùng công tác, học tập từ ngày", required=False)
    replacement = _check("Người giới thiệu thay thế do chi bộ phân công")

    def clean(self):
        data = super().clean()
        if not data.get("replacement") and not data.get("cowork_since") and "cowork_since" not in self.errors:
            self.add_error(
                "cowork_since", "Cần ghi ngày bắt đầu cùng công tác, học tập (trừ người giới thiệu thay thế)."
            )
        return data

    def perform(self):
        d = self.cleaned_data
        return actions.record_member_introduction(
            self.person,
            introducer_name=d["introducer_name"],
            official_since=d["official_since"],
            cowork_since=d.get("cowork_since"),
            replacement=bool(d.get("replacement")),
            **self._common(),
        )


class VerificationForm(ActionForm):
    date_label = "Ngày kết luận thẩm tra"
    concluded = _check("Đã có kết luận thẩm tra, xác minh lý lịch", initial=True)

    def perform(self):
        return actions.record_verification(
            self.person, concluded=self.cleaned_data["concluded"], **self._common()
        )


class VoteForm(ActionForm):
    """Cell votes (admission, recognition): in favour against all the cell's official members."""

    date_label = "Ngày chi bộ họp xét"
    official_members = _count_field("Tổng số đảng viên chính thức của chi bộ")
    in_favour = _count_field("Số đảng viên tán thành")

    def clean(self):
        data = super().clean()
        total, yes = data.get("official_members"), data.get("in_favour")
        if total is not None and yes is not None and yes > total:
            self.add_error("in_favour", "Số tán thành không được lớn hơn tổng số đảng viên chính thức.")
        return data

    def perform(self):
        d = self.cleaned_data
        fn = actions.record_recognition_vote if self.kind == K.RECOGNITION_VOTE else actions.record_cell_vote
        return fn(
            self.person, official_members=d["official_members"], in_favour=d["in_favour"], **self._common()
        )


class CommitteeVoteForm(ActionForm):
    date_label = "Ngày đảng ủy cơ sở họp xét"
    members = _count_field("Tổng số cấp ủy viên")
    in_favour = _count_field("Số cấp ủy viên tán thành")

    def clean(self):
        data = super().clean()
        if (data.get("members") or 0) < (data.get("in_favour") or 0):
            self.add_error("in_favour", "Số tán thành không được lớn hơn tổng số cấp ủy viên.")
        return data

    def perform(self):
        d = self.cleaned_data
        return actions.record_committee_vote(
            self.person, members=d["members"], in_favour=d["in_favour"], **self._common()
        )


class DecisionForm(ActionForm):
    date_label = "Ngày ký quyết định"
    decider = forms.TypedChoiceField(
        label="Cấp ủy quyết định", coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    number = _text("Số quyết định", max_length=60)
    received = VNDateField(label="Ngày chi bộ nhận quyết định", required=False)
    members = _count_field("Tổng số cấp ủy viên (khi quyết định theo ủy quyền)", required=False)
    in_favour = _count_field("Số cấp ủy viên tán thành (khi quyết định theo ủy quyền)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deciders = {u.pk: u for u in deciders_permitted(self.user, self.person)}
        self.fields["decider"].choices = [(pk, u.name) for pk, u in self.deciders.items()]

    def clean(self):
        data = super().clean()
        decider = self.deciders.get(data.get("decider"))
        if decider is not None and decider.kind == OrgUnit.Kind.GRASSROOTS:
            for name in ("members", "in_favour"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Bắt buộc khi đảng ủy cơ sở quyết định theo ủy quyền.")
        if (data.get("members") or 0) < (data.get("in_favour") or 0):
            self.add_error("in_favour", "Số tán thành không được lớn hơn tổng số cấp ủy viên.")
        if data.get("received") and data.get("occurred_on") and data["received"] < data["occurred_on"]:
            self.add_error("received", "Ngày nhận quyết định không được trước ngày ký.")
        return data

    def perform(self):
        d = self.cleaned_data
        return actions.record_decision(
            self.person,
            decider=self.deciders[d["decider"]],
            received=d.get("received"),
            number=d["number"],
            members=d.get("members"),
            in_favour=d.get("in_favour"),
            **self._common(),
        )


class ExtensionForm(ActionForm):
    date_label = "Ngày gia hạn"
    days = forms.IntegerField(
        label="Số ngày làm việc gia hạn (tối đa 30)",
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 30}),
    )

    def perform(self):
        return actions.record_decision_extension(
            self.person, days=self.cleaned_data["days"], **self._common()
        )


class SimpleForm(ActionForm):
    number = _text("Số văn bản (nếu có)", max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].label = SIMPLE_DATE_LABELS.get(self.kind, "Ngày")

    def perform(self):
        return actions.record_simple(
            self.person, self.kind, number=self.cleaned_data["number"], **self._common()
        )


SIMPLE_DATE_LABELS = {
    K.CEREMONY: "Ngày tổ chức lễ kết nạp",
    K.CEREMONY_CONSENT: "Ngày cấp ủy cấp trên đồng ý",
    K.NEW_MEMBER_CLASS: "Ngày cấp giấy chứng nhận",
    K.RECOGNITION_DECISION: "Ngày ký quyết định công nhận",
    K.REMOVAL: "Ngày quyết định xóa tên",
    K.WITHDRAWAL: "Ngày rút khỏi danh sách",
}


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    form: type[ActionForm]
    title: str
    button: str
    danger: bool = False


ACTIONS: dict[str, ActionSpec] = {
    spec.kind: spec
    for spec in [
        ActionSpec(K.AWARENESS_CLASS, AwarenessClassForm, "Học lớp bồi dưỡng nhận thức về Đảng", "Ghi nhận"),
        ActionSpec(K.MENTOR_ASSIGNED, MentorForm, "Phân công đảng viên giúp đỡ", "Phân công"),
        ActionSpec(K.APPLICATION, DocumentForm, "Đơn xin vào Đảng (mẫu 1-KNĐ)", "Ghi nhận"),
        ActionSpec(K.BIOGRAPHY, DocumentForm, "Lý lịch người xin vào Đảng (mẫu 2-KNĐ)", "Ghi nhận"),
        ActionSpec(
            K.YOUTH_UNION_INTRODUCTION,
            UnionIntroductionForm,
            "Nghị quyết giới thiệu của Đoàn (mẫu 4-KNĐ)",
            "Ghi nhận",
        ),
        ActionSpec(
            K.TRADE_UNION_INTRODUCTION,
            UnionIntroductionForm,
            "Nghị quyết giới thiệu của Công đoàn (mẫu 4A-KNĐ)",
            "Ghi nhận",
        ),
        ActionSpec(
            K.MEMBER_INTRODUCTION, MemberIntroductionForm, "Đảng viên giới thiệu (mẫu 3-KNĐ)", "Ghi nhận"
        ),
        ActionSpec(K.COMMENTS, DocumentForm, "Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)", "Ghi nhận"),
        ActionSpec(K.VERIFICATION, VerificationForm, "Thẩm tra, xác minh lý lịch", "Ghi nhận"),
        ActionSpec(K.CELL_VOTE, VoteForm, "Chi bộ xét đề nghị kết nạp (mẫu 6-KNĐ)", "Ghi nghị quyết chi bộ"),
        ActionSpec(K.COMMITTEE_VOTE, CommitteeVoteForm, "Đảng ủy cơ sở xét (mẫu 8-KNĐ)", "Ghi nghị quyết"),
        ActionSpec(K.DECISION, DecisionForm, "Quyết định kết nạp (mẫu 9-KNĐ)", "Ghi quyết định"),
        ActionSpec(K.DECISION_EXTENSION, ExtensionForm, "Gia hạn thời gian ra quyết định", "Ghi gia hạn"),
        ActionSpec(K.CEREMONY, SimpleForm, "Lễ kết nạp", "Ghi nhận"),
        ActionSpec(K.CEREMONY_CONSENT, SimpleForm, "Cấp ủy cấp trên đồng ý tổ chức lễ muộn", "Ghi nhận"),
        ActionSpec(K.NEW_MEMBER_CLASS, SimpleForm, "Lớp bồi dưỡng đảng viên mới", "Ghi nhận"),
        ActionSpec(
            K.RECOGNITION_VOTE,
            VoteForm,
            "Chi bộ xét công nhận chính thức (mẫu 13-KNĐ)",
            "Ghi nghị quyết chi bộ",
        ),
        ActionSpec(
            K.RECOGNITION_DECISION, SimpleForm, "Quyết định công nhận đảng viên chính thức", "Ghi quyết định"
        ),
        ActionSpec(K.REMOVAL, SimpleForm, "Xóa tên khỏi danh sách đảng viên dự bị", "Xóa tên", danger=True),
        ActionSpec(K.WITHDRAWAL, SimpleForm, "Rút khỏi danh sách", "Ghi rút khỏi danh sách", danger=True),
    ]
}

# The forms shown for each stage, most likely next step first.
STAGE_ACTIONS: dict[str, list[str]] = {
    Stage.SOURCE: [K.AWARENESS_CLASS, K.MENTOR_ASSIGNED, K.APPLICATION, K.WITHDRAWAL],
    Stage.SYMPATHISER: [K.APPLICATION, K.MENTOR_ASSIGNED, K.AWARENESS_CLASS, K.WITHDRAWAL],
    Stage.APPLICANT: [
        K.CELL_VOTE,
        K.BIOGRAPHY,
        K.YOUTH_UNION_INTRODUCTION,
        K.MEMBER_INTRODUCTION,
        K.COMMENTS,
        K.VERIFICATION,
        K.TRADE_UNION_INTRODUCTION,
        K.AWARENESS_CLASS,
        K.MENTOR_ASSIGNED,
        K.WITHDRAWAL,
    ],
    Stage.CELL_APPROVED: [K.COMMITTEE_VOTE, K.DECISION_EXTENSION, K.WITHDRAWAL],
    Stage.COMMITTEE_APPROVED: [K.DECISION, K.DECISION_EXTENSION, K.WITHDRAWAL],
    Stage.ADMITTED: [K.CEREMONY, K.CEREMONY_CONSENT, K.WITHDRAWAL],
    Stage.PROBATIONARY: [
        K.NEW_MEMBER_CLASS,
        K.RECOGNITION_VOTE,
        K.RECOGNITION_DECISION,
        K.DECISION_EXTENSION,
        K.REMOVAL,
    ],
}


def deciders_permitted(user, person) -> list[OrgUnit]:
    return [u for u in actions.deciders_for(person) if Perm.DECIDE in user_perms(user, u)]


class PermissionContext:
    """Which kinds the user's roles permit on one person (actions.KIND_PERMS), computed once."""

    def __init__(self, user, person):
        self.user, self.person = user, person
        self._grassroots = None
        self._perms: dict[int, set] = {}

    def _unit_perms(self, unit) -> set:
        if unit.pk not in self._perms:
            self._perms[unit.pk] = user_perms(self.user, unit)
        return self._perms[unit.pk]

    def allows(self, kind: str) -> bool:
        if kind not in actions.KIND_PERMS:
            return False
        perm, where = actions.KIND_PERMS[kind]
        if where == "person":
            return perm in self._unit_perms(self.person.unit)
        if where == "decider":
            return any(perm in self._unit_perms(u) for u in actions.deciders_for(self.person))
        if self._grassroots is None:
            self._grassroots = self.person.unit.grassroots() or self.person.unit
        return perm in self._unit_perms(self._grassroots)


def build_form(kind: str, *, person, user, today, data=None) -> ActionForm:
    spec = ACTIONS[kind]
    return spec.form(data, person=person, user=user, kind=kind, today=today)


# ---------------------------------------------------------------------------------------- new source


class SourceForm(MarkInvalidMixin, forms.Form):
    """A new person in the cell's source pool (actions.identify_source)."""

    full_name = _text("Họ và tên", required=True, max_length=200, autocomplete="off")
    birth_date = VNDateField(label="Ngày sinh")
    gender = forms.ChoiceField(
        label="Giới tính", choices=Gender.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    citizen_id = _text(
        "Số định danh cá nhân (CCCD, 12 chữ số)", max_length=12, inputmode="numeric", pattern=r"\d{12}"
    )
    education = forms.ChoiceField(
        label="Trình độ học vấn",
        choices=Education.choices,
        initial=Education.UPPER_SECONDARY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    school_role = forms.ChoiceField(
        label="Vai trò trong trường",
        choices=SchoolRole.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    school = forms.TypedChoiceField(
        label="Trường",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    faculty_class = _text("Khoa, lớp, tổ bộ môn", max_length=120)
    expected_graduation = VNDateField(label="Dự kiến tốt nghiệp", required=False)
    youth_union_member = _check("Là đoàn viên", initial=True)
    excellent_youth_union_member = _check("Đoàn viên ưu tú (được Đoàn giới thiệu)")
    residence_ward = forms.TypedChoiceField(
        label="Nơi cư trú (phường, xã)",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    occurred_on = VNDateField(label="Ngày đưa vào nguồn")
    note = _text("Ghi chú", max_length=500)

    def __init__(self, data=None, *, unit, user, today, **kwargs):
        super().__init__(data, **kwargs)
        self.unit, self.user, self.today = unit, user, today
        self.fields["occurred_on"].initial = today
        schools = org_queries.school_options(user)
        self.fields["school"].choices = [("", "— Không chọn —"), *schools]
        own = org_queries.schools_of_unit(user, unit)
        if len(own) == 1:
            self.fields["school"].initial = own[0]
        if unit.cell_kind == OrgUnit.CellKind.STUDENT:
            self.fields["school_role"].initial = SchoolRole.STUDENT
        self.fields["residence_ward"].choices = [("", "— Không chọn —"), *org_queries.ward_options()]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name.split(" ")) < 2:
            raise ValidationError("Nhập đầy đủ họ và tên, ví dụ: Nguyễn Văn An.")
        return name

    def clean_citizen_id(self):
        value = (self.cleaned_data.get("citizen_id") or "").strip()
        if value and not CITIZEN_ID_RE.match(value):
            raise ValidationError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
        return value or None

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day >= self.today:
            raise ValidationError("Ngày sinh phải trước ngày hôm nay.")
        return day

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > self.today:
            raise ValidationError("Ngày đưa vào nguồn không được sau ngày hôm nay.")
        return day

    def _school(self, pk):
        school = org_queries.schools_for(self.user).filter(pk=pk).first()
        if school is None:
            raise ValidationError({"school": "Không tìm thấy trường."})
        return school

    def person_fields(self) -> dict:
        """The Person fields the cleaned form gives (name split, school and ward resolved in scope)."""
        d = self.cleaned_data
        family, middle, given = split_full_name(d["full_name"])
        ward = org_queries.wards().filter(pk=d["residence_ward"]).first() if d.get("residence_ward") else None
        return {
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "birth_date": d["birth_date"],
            "gender": d["gender"],
            "citizen_id": d["citizen_id"],
            "education": d["education"],
            "school_role": d["school_role"],
            "school": self._school(d["school"]) if d.get("school") else None,
            "faculty_class": d.get("faculty_class") or "",
            "expected_graduation": d.get("expected_graduation"),
            "youth_union_member": d["youth_union_member"],
            "excellent_youth_union_member": d["excellent_youth_union_member"],
            "residence_ward": ward,
        }

    def perform(self):
        d = self.cleaned_data
        return actions.identify_source(
            acting_user=self.user,
            unit=self.unit,
            occurred_on=d["occurred_on"],
            note=d.get("note") or "",
            **self.person_fields(),
        )

    def add_validation_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                if field in ("family_name", "middle_name", "given_name"):
                    field = "full_name"
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class PersonEditForm(SourceForm):
    """Correcting a person's particulars (actions.update_person); the reason goes into the audit log."""

    reason = _text("Lý do sửa", required=True, max_length=300)

    def __init__(self, data=None, *, person, user, today, **kwargs):
        initial = {
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "gender": person.gender,
            "citizen_id": person.citizen_id or "",
            "education": person.education,
            "school_role": person.school_role,
            "school": person.school_id,
            "faculty_class": person.faculty_class,
            "expected_graduation": person.expected_graduation,
            "youth_union_member": person.youth_union_member,
            "excellent_youth_union_member": person.excellent_youth_union_member,
            "residence_ward": person.residence_ward_id,
        }
        super().__init__(data, unit=person.unit, user=user, today=today, initial=initial, **kwargs)
        self.person = person
        del self.fields["occurred_on"]
        del self.fields["note"]
        for name, value in initial.items():
            self.fields[name].initial = value
        if person.school_id and person.school_id not in {c[0] for c in self.fields["school"].choices}:
            self.fields["school"].choices = [
                *self.fields["school"].choices,
                (person.school_id, str(person.school)),
            ]

    def _school(self, pk):
        return self.person.school if pk == self.person.school_id else super()._school(pk)

    def perform(self):
        return actions.update_person(
            self.person, acting_user=self.user, reason=self.cleaned_data["reason"], **self.person_fields()
        )
