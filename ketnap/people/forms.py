"""Forms of the person page: one per kind of ledger event, each calling ONE action of people.actions.

Field names are a contract for the browser tests: every form has `occurred_on` (text, dd/mm/yyyy) and
`note`; ids are `id_<kind>_<field>` so that several forms can live on one page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ketnap import rules
from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.core.text import normalize_citizen_id, split_full_name
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit, School
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
    """A text input that accepts dd/mm/yyyy (and ISO yyyy-mm-dd), between ``min_date`` (default the rule book's
    lower bound, 03/02/1930) and ``max_date`` (a form sets it to today where a date cannot be in the future)."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]

    def __init__(self, *args, min_date=None, max_date=None, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y", attrs=dict(DATE_ATTRS)))
        kwargs.setdefault("error_messages", DATE_ERRORS)
        super().__init__(*args, **kwargs)
        self.min_date = min_date or rules.DATE_MIN
        self.max_date = max_date

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < self.min_date:
            raise ValidationError(f"Ngày không được trước {self.min_date:%d/%m/%Y}.", code="min_date")
        if self.max_date is not None and value > self.max_date:
            if self.max_date == self.today:
                raise ValidationError("Ngày không được sau ngày hôm nay.", code="future")
            raise ValidationError(f"Ngày không được sau {self.max_date:%d/%m/%Y}.", code="max_date")

    today = None  # set by the form (bound_dates) so that "after today" is said as such


def bound_dates(form, today: datetime.date, *, future: tuple[str, ...] = ()) -> None:
    """Every date field of ``form`` refuses dates after ``today``, except those named in ``future`` (which get
    a sensible bound: ten years ahead, e.g. an expected graduation)."""
    for name, field in form.fields.items():
        if isinstance(field, VNDateField):
            field.today = today
            field.max_date = _years_ahead(today, 10) if name in future else today


def _years_ahead(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/02
        return day.replace(year=day.year + years, day=28)


class FastSelect(forms.Select):
    """A select rendered in one pass of string building: Django's per-option templates cost ~0.2 ms an option,
    and a cell's list of official members has hundreds (the person page must stay fast)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {
            "" if v is None else str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
        }
        parts = [format_html("<select{}>", flatatt(final))]
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            mark = " selected" if key in chosen else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', key, mark, label))
        parts.append("</select>")
        return mark_safe("".join(parts))


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
    """The form of one kind of step. With ``corrects`` (a ledger entry of the same kind) it records a
    correction of that entry: its values are the initial ones and the note becomes a required reason."""

    date_label = "Ngày"
    needs_reason = False  # a step that ends the dossier: reason and confirmation required
    occurred_on = VNDateField(label="Ngày")
    note = _text("Ghi chú", max_length=500)

    def __init__(self, data=None, *, person, user, kind: str, today: datetime.date, corrects=None, **kwargs):
        prefix = "fix" if corrects is not None else kind
        kwargs.setdefault("auto_id", f"id_{prefix}_%s")
        if corrects is not None:
            kwargs.setdefault("initial", initial_from_event(current_version(corrects)))
        super().__init__(data, **kwargs)
        self.person, self.user, self.kind, self.today, self.corrects = person, user, kind, today, corrects
        self.fields["occurred_on"].label = self.date_label
        if corrects is None:
            self.fields["occurred_on"].initial = today
        bound_dates(self, today)
        if corrects is not None:
            self.fields["note"] = _text("Lý do đính chính", required=True, max_length=500)
        elif self.needs_reason:
            self.fields["note"] = _text("Lý do", required=True, max_length=500)
            self.fields["confirm"] = _check(CONFIRM_LABELS.get(kind, "Tôi xác nhận thao tác này."))
            self.fields["confirm"].required = True
            self.fields["confirm"].error_messages["required"] = "Hãy đánh dấu xác nhận trước khi ghi."
        self.refusals: list = []
        self.warnings: list[str] = []
        tail = [n for n in ("note", "confirm") if n in self.fields]
        self.order_fields([*[n for n in self.fields if n not in tail], *tail])

    def perform(self):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def _common(self) -> dict:
        common = {
            "acting_user": self.user,
            "occurred_on": self.cleaned_data["occurred_on"],
            "note": self.cleaned_data.get("note") or "",
        }
        if self.corrects is not None:
            common["corrects"] = self.corrects
        return common

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
        label="Đảng viên chính thức giúp đỡ", coerce=int, widget=FastSelect(attrs={"class": "form-select"})
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].label = SIMPLE_DATE_LABELS.get(self.kind, self.date_label)

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
    """An official member's introduction: the introducer is picked from the official members in the system
    (their official date comes from their own ledger); free text only for a member outside the system."""

    date_label = "Ngày giới thiệu"
    introducer = forms.TypedChoiceField(
        label="Đảng viên giới thiệu",
        coerce=int,
        required=False,
        empty_value=None,
        widget=FastSelect(attrs={"class": "form-select"}),
        help_text="Chọn trong danh sách đảng viên chính thức; nếu người giới thiệu không có trong hệ thống, "
        "để trống ô này và ghi họ tên, ngày chính thức ở dưới.",
    )
    introducer_name = _text("Họ và tên (người ngoài hệ thống)", max_length=120)
    official_since = VNDateField(
        label="Là đảng viên chính thức từ ngày (người ngoài hệ thống)", required=False
    )
    cowork_since = VNDateField(label="Cùng công tác, học tập từ ngày", required=False)
    replacement = _check("Người giới thiệu thay thế do chi bộ phân công")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = queries.introducer_options(self.user, self.person)
        self.fields["introducer"].choices = [("", "— Người ngoài hệ thống —"), *options]

    def clean(self):
        data = super().clean()
        if data.get("introducer"):
            self.introducer_person = queries.introducer_for(self.user, data["introducer"])
        else:
            self.introducer_person = None
            if not (data.get("introducer_name") or "").strip() and "introducer_name" not in self.errors:
                self.add_error(
                    "introducer_name", "Chọn đảng viên trong danh sách, hoặc ghi họ tên người giới thiệu."
                )
            if not data.get("official_since") and "official_since" not in self.errors:
                self.add_error("official_since", "Cần ghi ngày người giới thiệu là đảng viên chính thức.")
        if not data.get("replacement") and not data.get("cowork_since") and "cowork_since" not in self.errors:
            self.add_error(
                "cowork_since", "Cần ghi ngày bắt đầu cùng công tác, học tập (trừ người giới thiệu thay thế)."
            )
        return data

    def perform(self):
        d = self.cleaned_data
        return actions.record_member_introduction(
            self.person,
            introducer=self.introducer_person,
            introducer_name=(d.get("introducer_name") or "").strip(),
            official_since=d.get("official_since"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roster = queries.cell_roster(self.person.unit, self.today)
        self.fields["official_members"].help_text = (
            f"Theo hồ sơ trong hệ thống, {self.person.unit.name} có {roster} đảng viên chính thức hôm nay "
            "(không tính người chuyển sinh hoạt tạm thời đi và người được miễn sinh hoạt vắng mặt)."
        )

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


class ExitForm(SimpleForm):
    """Withdrawal and removal end the dossier: a reason and a confirmation are required."""

    needs_reason = True


class ReinstateForm(ActionForm):
    """Reopen a withdrawn or removed person's dossier (the exit is voided by a new event, with a reason)."""

    date_label = "Ngày khôi phục"
    needs_reason = True

    def perform(self):
        d = self.cleaned_data
        return actions.reinstate(
            self.person, acting_user=self.user, occurred_on=d["occurred_on"], note=d["note"]
        )


class VoidForm(MarkInvalidMixin, forms.Form):
    """Void a ledger entry: it stops counting (a new event, with a reason; the entry stays in the ledger)."""

    note = _text("Lý do hủy bản ghi", required=True, max_length=500)
    confirm = _check("Tôi xác nhận hủy bản ghi này (bản ghi vẫn còn trong sổ, được đánh dấu đã hủy).")

    def __init__(self, data=None, *, event, user, **kwargs):
        kwargs.setdefault("auto_id", "id_void_%s")
        super().__init__(data, **kwargs)
        self.event, self.user, self.corrects = event, user, event
        self.fields["confirm"].required = True
        self.fields["confirm"].error_messages["required"] = "Hãy đánh dấu xác nhận trước khi hủy."
        self.refusals: list = []

    def perform(self):
        return actions.correct_event(
            self.event, acting_user=self.user, void=True, note=self.cleaned_data["note"]
        )

    add_refusals = ActionForm.add_refusals
    add_validation_error = ActionForm.add_validation_error


CONFIRM_LABELS = {
    K.WITHDRAWAL: "Tôi xác nhận đưa người này ra khỏi danh sách (có thể khôi phục sau, có ghi lại).",
    K.REMOVAL: "Tôi xác nhận xóa tên người này khỏi danh sách đảng viên dự bị.",
    "reinstate": "Tôi xác nhận khôi phục hồ sơ của người này.",
}


SIMPLE_DATE_LABELS = {
    K.MEMBER_BIOGRAPHY: "Ngày hoàn thành lý lịch đảng viên",
    K.SELF_REVIEW: "Ngày của bản tự kiểm điểm",
    K.HELPER_COMMENTS: "Ngày của bản nhận xét",
    K.RECOGNITION_COMMENTS: "Ngày của bản tổng hợp nhận xét",
    K.AGE_CONSENT: "Ngày văn bản đồng ý",
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
        ActionSpec(K.YOUTH_UNION_INTRODUCTION, UnionIntroductionForm, "Nghị quyết giới thiệu của Đoàn (mẫu 4-KNĐ)",
                   "Ghi nhận"),
        ActionSpec(K.TRADE_UNION_INTRODUCTION, UnionIntroductionForm,
                   "Nghị quyết giới thiệu của Công đoàn (mẫu 4A-KNĐ)", "Ghi nhận"),
        ActionSpec(K.MEMBER_INTRODUCTION, MemberIntroductionForm, "Đảng viên giới thiệu (mẫu 3-KNĐ)", "Ghi nhận"),
        ActionSpec(K.COMMENTS, DocumentForm, "Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)", "Ghi nhận"),
        ActionSpec(K.VERIFICATION, VerificationForm, "Thẩm tra, xác minh lý lịch", "Ghi nhận"),
        ActionSpec(K.AGE_CONSENT, DocumentForm, "Văn bản đồng ý của Ban Thường vụ Thành ủy (người trên 60 tuổi)",
                   "Ghi nhận"),
        ActionSpec(K.CELL_VOTE, VoteForm, "Chi bộ xét đề nghị kết nạp (mẫu 6-KNĐ)", "Ghi nghị quyết chi bộ"),
        ActionSpec(K.COMMITTEE_VOTE, CommitteeVoteForm, "Đảng ủy cơ sở xét (mẫu 8-KNĐ)", "Ghi nghị quyết"),
        ActionSpec(K.DECISION, DecisionForm, "Quyết định kết nạp (mẫu 9-KNĐ)", "Ghi quyết định"),
        ActionSpec(K.DECISION_EXTENSION, ExtensionForm, "Gia hạn thời gian ra quyết định", "Ghi gia hạn"),
        ActionSpec(K.CEREMONY, SimpleForm, "Lễ kết nạp", "Ghi nhận"),
        ActionSpec(K.CEREMONY_CONSENT, SimpleForm, "Cấp ủy cấp trên đồng ý tổ chức lễ muộn", "Ghi nhận"),
        ActionSpec(K.MEMBER_BIOGRAPHY, DocumentForm, "Lý lịch đảng viên", "Ghi nhận"),
        ActionSpec(K.NEW_MEMBER_CLASS, SimpleForm, "Lớp bồi dưỡng đảng viên mới", "Ghi nhận"),
        ActionSpec(K.SELF_REVIEW, DocumentForm, "Bản tự kiểm điểm của đảng viên dự bị (mẫu 10-KNĐ)", "Ghi nhận"),
        ActionSpec(K.HELPER_COMMENTS, DocumentForm, "Nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)", "Ghi nhận"),
        ActionSpec(K.RECOGNITION_COMMENTS, DocumentForm,
                   "Tổng hợp nhận xét đối với đảng viên dự bị (mẫu 12-KNĐ)", "Ghi nhận"),
        ActionSpec(K.RECOGNITION_VOTE, VoteForm, "Chi bộ xét công nhận chính thức (mẫu 13-KNĐ)",
                   "Ghi nghị quyết chi bộ"),
        ActionSpec(K.RECOGNITION_DECISION, SimpleForm, "Quyết định công nhận đảng viên chính thức",
                   "Ghi quyết định"),
        ActionSpec(K.REMOVAL, ExitForm, "Xóa tên khỏi danh sách đảng viên dự bị", "Xóa tên", danger=True),
        ActionSpec(K.WITHDRAWAL, ExitForm, "Rút khỏi danh sách", "Ghi rút khỏi danh sách", danger=True),
        ActionSpec("reinstate", ReinstateForm, "Khôi phục hồ sơ", "Khôi phục hồ sơ", danger=True),
    ]
}  # fmt: skip

# The order the person page offers the steps in, most likely next step first; the page shows only those the
# rule book opens now (rules.review(...).next_steps) and the user's roles permit.
OFFER_ORDER: dict[str, list[str]] = {
    Stage.SOURCE: [K.AWARENESS_CLASS, K.MENTOR_ASSIGNED, K.APPLICATION, K.AGE_CONSENT, K.WITHDRAWAL],
    Stage.SYMPATHISER: [K.APPLICATION, K.MENTOR_ASSIGNED, K.AWARENESS_CLASS, K.AGE_CONSENT, K.WITHDRAWAL],
    Stage.APPLICANT: [
        K.CELL_VOTE,
        K.BIOGRAPHY,
        K.YOUTH_UNION_INTRODUCTION,
        K.MEMBER_INTRODUCTION,
        K.COMMENTS,
        K.VERIFICATION,
        K.TRADE_UNION_INTRODUCTION,
        K.AGE_CONSENT,
        K.AWARENESS_CLASS,
        K.MENTOR_ASSIGNED,
        K.WITHDRAWAL,
    ],
    Stage.CELL_APPROVED: [K.COMMITTEE_VOTE, K.AGE_CONSENT, K.DECISION_EXTENSION, K.WITHDRAWAL],
    Stage.COMMITTEE_APPROVED: [K.DECISION, K.AGE_CONSENT, K.DECISION_EXTENSION, K.WITHDRAWAL],
    Stage.ADMITTED: [K.CEREMONY, K.CEREMONY_CONSENT, K.WITHDRAWAL],
    Stage.PROBATIONARY: [
        K.MEMBER_BIOGRAPHY,
        K.NEW_MEMBER_CLASS,
        K.SELF_REVIEW,
        K.HELPER_COMMENTS,
        K.RECOGNITION_COMMENTS,
        K.RECOGNITION_VOTE,
        K.RECOGNITION_DECISION,
        K.DECISION_EXTENSION,
        K.REMOVAL,
    ],
    Stage.WITHDRAWN: ["reinstate"],
    Stage.REMOVED: ["reinstate"],
}
LEDGER_ONLY_OFFERS = {K.MENTOR_ASSIGNED: (Stage.SOURCE, Stage.SYMPATHISER, Stage.APPLICANT)}


def offered_kinds(stage: str, next_steps) -> list[str]:
    """The steps the person page offers at ``stage``: in the page's order, those the rule book opens."""
    out = []
    for kind in OFFER_ORDER.get(stage, []):
        if kind == "reinstate" or kind in next_steps or stage in LEDGER_ONLY_OFFERS.get(kind, ()):
            out.append(kind)
    return out


def current_version(event):
    """The entry as it stands now: its latest correction, or itself (a second correction starts from the
    values of the first, not from the original's)."""
    return event.corrections.order_by("-id").first() or event


def initial_from_event(event) -> dict:
    """The form's initial values from a ledger entry (to correct it)."""
    data = event.data or {}
    initial = {"occurred_on": event.occurred_on}
    for key, value in data.items():
        if key in ("void", "introducer", "decider_id", "decider_name", "authorized", "request_id", "roster"):
            continue
        initial[key] = _date_or(value) if key == "received" else value
    intro = data.get("introducer")
    if isinstance(intro, dict):
        if intro.get("person_id"):
            initial["introducer"] = intro["person_id"]
        else:
            initial["introducer_name"] = intro.get("name", "")
            initial["official_since"] = _date_or(intro.get("official_since"))
        initial["cowork_since"] = _date_or(intro.get("cowork_since"))
        initial["replacement"] = bool(intro.get("replacement"))
    if data.get("decider_id"):
        initial["decider"] = data["decider_id"]
    return initial


def _date_or(value):
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return value


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
        if kind == "reinstate":  # the role that may record the exit may reopen it
            exit = actions.exit_event(self.person)
            return exit is not None and self.allows(exit.kind)
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


def build_form(kind: str, *, person, user, today, data=None, corrects=None) -> ActionForm:
    spec = ACTIONS[kind]
    return spec.form(data, person=person, user=user, kind=kind, today=today, corrects=corrects)


# ---------------------------------------------------------------------------------------- new source


def default_school_role(unit: OrgUnit, school_ids: list[int]) -> str:
    """The likeliest role of a new source in this cell: a student in a student cell, a lecturer in a cell of a
    university, college or professional school, a teacher elsewhere (kindergartens to high schools)."""
    if unit.cell_kind == OrgUnit.CellKind.STUDENT:
        return SchoolRole.STUDENT
    levels = set(org_queries.school_levels(school_ids))
    if levels and levels <= set(School.HE_LEVELS):
        return SchoolRole.LECTURER
    return SchoolRole.TEACHER


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
        widget=FastSelect(attrs={"class": "form-select"}),
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
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    occurred_on = VNDateField(label="Ngày đưa vào nguồn")
    note = _text("Ghi chú", max_length=500)

    def __init__(self, data=None, *, unit, user, today, **kwargs):
        super().__init__(data, **kwargs)
        self.unit, self.user, self.today = unit, user, today
        self.fields["occurred_on"].initial = today
        schools = org_queries.school_options_near(user, unit)
        self.fields["school"].choices = [("", "— Không chọn —"), *schools]
        own = org_queries.schools_of_unit(user, unit)
        if len(own) == 1:
            self.fields["school"].initial = own[0]
        self.fields["school_role"].initial = default_school_role(unit, own)
        bound_dates(self, today, future=("expected_graduation",))
        self.fields["residence_ward"].choices = [("", "— Không chọn —"), *org_queries.ward_options()]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name.split(" ")) < 2:
            raise ValidationError("Nhập đầy đủ họ và tên, ví dụ: Nguyễn Văn An.")
        return name

    def clean_citizen_id(self):
        value = normalize_citizen_id(self.cleaned_data.get("citizen_id"))
        if value and not CITIZEN_ID_RE.fullmatch(value):
            raise ValidationError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
        return value or None

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day >= self.today:
            raise ValidationError("Ngày sinh phải trước ngày hôm nay.")
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
    # The version the user saw (the person's last change): a stale form is refused, never silently applied.
    version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

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
        initial["version"] = actions.person_version(person)
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
            self.person,
            acting_user=self.user,
            reason=self.cleaned_data["reason"],
            version=self.cleaned_data.get("version") or "",
            **self.person_fields(),
        )
