"""Forms of the interorg pages: each calls ONE action of interorg.actions (or people.actions.assign_mentor).

Dates are text inputs in dd/mm/yyyy (people.forms.VNDateField); ids are `id_<verb>_<field>` so that several
forms can live on one page.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from ketnap.interorg import actions, queries
from ketnap.interorg.models import MOVING_KINDS, Kind, Rating, Trigger
from ketnap.people import ledger
from ketnap.people.forms import MarkInvalidMixin, VNDateField, _check, _text


def _textarea(label: str, required=False, rows=3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=4000,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": rows}))  # fmt: skip


def _select(label: str, choices=(), required=True, coerce=int) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=choices, coerce=coerce, required=required,
                                  empty_value=None, widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip


class BaseForm(MarkInvalidMixin, forms.Form):
    def __init__(self, data=None, *, user, today: datetime.date, prefix_id: str = "", **kwargs):
        if prefix_id:
            kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(data, **kwargs)
        self.user, self.today = user, today
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and field.initial is None and name in self.TODAY_FIELDS:
                field.initial = today

    TODAY_FIELDS: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.TODAY_FIELDS:
            day = data.get(name)
            if day is not None and day > self.today:
                self.add_error(name, "Ngày không được sau ngày hôm nay.")
        return data

    def add_validation_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class NewRequestForm(BaseForm):
    """A verification, a transfer or an introduction about one person, drafted or sent at once."""

    TODAY_FIELDS = ("sent_on",)
    sender = _select("Nơi gửi")
    receiver = _select("Nơi nhận (trong hệ thống)", required=False)
    receiver_name = _text("hoặc tên tổ chức ngoài hệ thống", max_length=200)
    temporary = _check("Chuyển sinh hoạt tạm thời")
    trigger = forms.ChoiceField(label="Lý do", choices=Trigger.choices, required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    trigger_on = VNDateField(label="Ngày tốt nghiệp, nhận việc…", required=False)
    number = _text("Số văn bản (để trống: tự đánh số)", max_length=60)
    sent_on = VNDateField(label="Ngày gửi")
    content = _textarea("Nội dung")

    def __init__(self, data=None, *, kind: str, person, **kwargs):
        super().__init__(data, prefix_id="new", **kwargs)
        self.kind, self.person = kind, person
        self.fields["sender"].choices = queries.sender_options(self.user, person)
        grassroots = person.unit.grassroots()
        if grassroots is not None and any(pk == grassroots.pk for pk, _ in self.fields["sender"].choices):
            self.fields["sender"].initial = grassroots.pk
        elif self.fields["sender"].choices:
            self.fields["sender"].initial = self.fields["sender"].choices[-1][0]
        self.fields["receiver"].choices = [("", "— Chọn —"), *queries.receiver_options(kind)]
        if kind == Kind.VERIFICATION:
            del self.fields["temporary"], self.fields["trigger"], self.fields["trigger_on"]
            self.fields["receiver"].label = "Đảng ủy phường, xã nhận (trong hệ thống)"
            if person.residence_ward_id:
                self.fields["receiver"].initial = person.residence_ward_id
            self.fields["content"].initial = "Đề nghị thẩm tra, xác minh lý lịch của người xin vào Đảng."
        else:
            del self.fields["receiver_name"]
            self.fields["receiver"].required = True
            self.fields["receiver"].label = "Tổ chức đảng nơi đến"
            if kind == Kind.INTRODUCTION:
                del self.fields["temporary"]
            if person.expected_graduation and person.expected_graduation <= self.today + datetime.timedelta(
                60
            ):
                self.fields["trigger"].initial = Trigger.GRADUATION
                self.fields["trigger_on"].initial = person.expected_graduation
            if person.residence_ward_id and kind == Kind.TRANSFER:
                self.fields["receiver"].initial = person.residence_ward_id

    def clean(self):
        data = super().clean()
        if self.kind == Kind.VERIFICATION and not data.get("receiver") and not data.get("receiver_name"):
            self.add_error("receiver", "Chọn nơi nhận hoặc ghi tên tổ chức ngoài hệ thống.")
        return data

    def perform(self, send: bool):
        d = self.cleaned_data
        senders = {pk: pk for pk, _ in queries.sender_options(self.user, self.person)}
        if d["sender"] not in senders:
            raise ValidationError({"sender": "Nơi gửi không hợp lệ."})
        from ketnap.orgs import queries as org_queries

        sender = org_queries.unit_for(self.user, d["sender"])
        receiver = queries.receiver_unit(d["receiver"]) if d.get("receiver") else None
        fields = dict(kind=self.kind, person=self.person, sender=sender, receiver=receiver,
                      receiver_name=d.get("receiver_name") or "", temporary=d.get("temporary") or False,
                      trigger=d.get("trigger") or "", trigger_on=d.get("trigger_on"), content=d["content"])  # fmt: skip
        if send:
            return actions.send_new(acting_user=self.user, sent_on=d["sent_on"], number=d["number"], **fields)
        return actions.create_request(
            acting_user=self.user, created_on=d["sent_on"], number=d["number"], **fields
        )


class SendForm(BaseForm):
    TODAY_FIELDS = ("sent_on",)
    sent_on = VNDateField(label="Ngày gửi")
    number = _text("Số văn bản (để trống: tự đánh số)", max_length=60)

    def perform(self, request):
        d = self.cleaned_data
        return actions.send_request(request, acting_user=self.user, sent_on=d["sent_on"], number=d["number"])


class ReceiveForm(BaseForm):
    TODAY_FIELDS = ("received_on",)
    received_on = VNDateField(label="Ngày nhận")

    def perform(self, request):
        return actions.receive_request(
            request, acting_user=self.user, received_on=self.cleaned_data["received_on"]
        )


class AnswerForm(BaseForm):
    TODAY_FIELDS = ("answered_on",)
    answered_on = VNDateField(label="Ngày trả lời")
    concluded = forms.TypedChoiceField(
        label="Kết luận thẩm tra", coerce=lambda v: v == "1", empty_value=None,
        choices=[("", "— Chọn —"), ("1", "Đã có kết luận thẩm tra"), ("0", "Chưa kết luận được")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    answer = _textarea("Nội dung trả lời")
    doc_number = _text("Số văn bản trả lời", max_length=60)
    doc_title = _text("Trích yếu văn bản trả lời", max_length=200)

    def __init__(self, data=None, *, request, **kwargs):
        super().__init__(data, prefix_id="answer", **kwargs)
        self.request = request
        if request.kind != Kind.VERIFICATION:
            del self.fields["concluded"]
            self.fields["answer"].label = "Ý kiến của nơi nhận (đã nhận, đưa vào hồ sơ…)"
        else:
            # the conclusion of a verification is a numbered letter: the ledger cites it by its number
            self.fields["doc_number"].required = True
            self.fields["doc_number"].label = f"Số văn bản trả lời của {request.receiver_name}"
            self.fields["doc_number"].error_messages["required"] = (
                "Ghi số văn bản trả lời (kết luận thẩm tra): sổ sự kiện của người này trích dẫn số đó."
            )

    def perform(self, request):
        d = self.cleaned_data
        docs = []
        if d.get("doc_number") or d.get("doc_title"):
            docs.append({"number": d.get("doc_number", ""), "title": d.get("doc_title", ""),
                         "date": d["answered_on"].isoformat()})  # fmt: skip
        return actions.answer_request(request, acting_user=self.user, answered_on=d["answered_on"],
                                      answer=d["answer"], concluded=d.get("concluded"), documents=docs)  # fmt: skip


class ConfirmForm(BaseForm):
    TODAY_FIELDS = ("confirmed_on",)
    confirmed_on = VNDateField(label="Ngày tiếp nhận")
    into = _select("Chi bộ tiếp nhận")
    answer = _text("Ghi chú", max_length=500)

    def __init__(self, data=None, *, request, **kwargs):
        super().__init__(data, prefix_id="confirm", **kwargs)
        self.request = request
        options = queries.into_options(self.user, request)
        self.fields["into"].choices = [
            (pk, "\u00a0\u00a0\u00a0" * indent + name) for pk, name, indent in options
        ]
        self.fields["into"].initial = request.receiver_id

    def perform(self, request):
        d = self.cleaned_data
        from ketnap.orgs import queries as org_queries

        into = org_queries.unit_for(self.user, d["into"])
        return actions.confirm_request(request, acting_user=self.user, confirmed_on=d["confirmed_on"], into=into,
                                       answer=d.get("answer") or "")  # fmt: skip


class ReturnForm(BaseForm):
    TODAY_FIELDS = ("returned_on",)
    returned_on = VNDateField(label="Ngày trả lại")
    reason = _textarea("Lý do trả lại", required=True, rows=2)

    def perform(self, request):
        d = self.cleaned_data
        return actions.return_request(request, acting_user=self.user, returned_on=d["returned_on"],
                                      reason=d["reason"])  # fmt: skip


class CancelForm(BaseForm):
    TODAY_FIELDS = ("cancelled_on",)
    cancelled_on = VNDateField(label="Ngày hủy")
    reason = _textarea("Lý do hủy", required=True, rows=2)

    def perform(self, request):
        d = self.cleaned_data
        return actions.cancel_request(request, acting_user=self.user, cancelled_on=d["cancelled_on"],
                                      reason=d["reason"])  # fmt: skip


VERBS = {
    "gui": ("send", SendForm, "Gửi văn bản", "Gửi"),
    "nhan": ("receive", ReceiveForm, "Ghi nhận đã nhận văn bản", "Đã nhận"),
    "tra-loi": ("answer", AnswerForm, "Trả lời", "Ghi trả lời"),
    "xac-nhan": ("confirm", ConfirmForm, "Xác nhận tiếp nhận", "Xác nhận tiếp nhận"),
    "tra-lai": ("return", ReturnForm, "Trả lại (từ chối)", "Trả lại"),
    "huy": ("cancel", CancelForm, "Hủy văn bản", "Hủy văn bản"),
}


def build_verb_form(slug: str, request, *, user, today, data=None):
    verb, cls, _, _ = VERBS[slug]
    if cls in (AnswerForm, ConfirmForm):
        return cls(data, request=request, user=user, today=today)
    return cls(data, user=user, today=today, prefix_id=verb)


def allowed_verbs(request, side: dict, perms_sender: bool, perms_receiver: bool) -> list[str]:
    """The verbs the user may use now on this request (slugs of VERBS), by status, side and role."""
    out = []
    status = request.status
    if status == "draft" and side["sender"] and perms_sender:
        out += ["gui", "huy"]
    if status in ("sent", "received"):
        if side["receiver"] and perms_receiver:
            if status == "sent":
                out.append("nhan")
            out.append("xac-nhan" if request.kind in MOVING_KINDS else "tra-loi")
            out.append("tra-lai")
        if side["sender"] and perms_sender:
            out.append("huy")
    return out


class HoldForm(BaseForm):
    TODAY_FIELDS = ("occurred_on",)
    occurred_on = VNDateField(label="Ngày quyết định giữ sinh hoạt")
    until = VNDateField(label="Giữ đến ngày", required=False)
    note = _text("Ghi chú", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = ledger.rule_params().graduate_hold_months
        self.fields["until"].label = f"Giữ đến ngày (tối đa {months} tháng sau tốt nghiệp)"

    def perform(self, person):
        d = self.cleaned_data
        return actions.hold_graduate(person, acting_user=self.user, occurred_on=d["occurred_on"],
                                     until=d.get("until"), note=d.get("note") or "")  # fmt: skip


RATING_CHOICES = Rating.choices
