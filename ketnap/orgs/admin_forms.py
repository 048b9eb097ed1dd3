"""Forms of the administration pages (tree, schools, authorisations, users). Dates typed dd/mm/yyyy."""

from django import forms
from django.utils import timezone

from ketnap.accounts.roles import Role
from ketnap.core.widgets import tree_choice
from ketnap.orgs.models import CHILD_KINDS, OrgUnit, School

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: str, *, required: bool = True, initial_today: bool = True, help_text: str = ""):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"class": "form-control", "placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
        ),
        help_text=help_text,
        error_messages={"invalid": "Ngày phải viết dạng dd/mm/yyyy, ví dụ 01/09/2026."},
    )


def text_field(label: str, *, required: bool = True, max_length: int = 200, help_text: str = "", **attrs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-control", **attrs}),
    )


def reason_field(required: bool = True):
    return text_field(
        "Lý do, căn cứ",
        required=required,
        max_length=300,
        help_text="Số, ngày của quyết định hoặc nghị quyết; được ghi vào nhật ký.",
    )


class AdminForm(forms.Form):
    """Errors an action raises for a field the form lacks go to the top of the form."""

    def add_validation_error(self, exc) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class CreateUnitForm(AdminForm):
    name = text_field("Tên tổ chức")
    code = text_field(
        "Mã", max_length=40, help_text="Mã duy nhất trong hệ thống (dùng khi nhập dữ liệu), ví dụ KHTN-SV-VL."
    )
    kind = forms.ChoiceField(label="Loại", widget=forms.Select(attrs={"class": "form-select"}))
    cell_kind = forms.ChoiceField(
        label="Loại chi bộ",
        required=False,
        choices=OrgUnit.CellKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    on = date_field("Ngày thành lập")
    has_youth_union = forms.BooleanField(
        label="Có tổ chức Đoàn",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = reason_field(required=False)

    def __init__(self, *args, parent: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = CHILD_KINDS.get(parent.kind, [])
        labels = dict(OrgUnit.Kind.choices)
        self.fields["kind"].choices = [(k.value, labels[k]) for k in kinds]


class RenameForm(AdminForm):
    name = text_field("Tên mới")
    on = date_field("Dùng tên mới từ ngày")
    reason = reason_field()


class MoveForm(AdminForm):
    on = date_field("Trực thuộc cấp trên mới từ ngày")
    reason = reason_field()

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = tree_choice("Cấp trên mới", options)
        self.order_fields(["parent", "on", "reason"])


class MergeForm(AdminForm):
    on = date_field("Sáp nhập từ ngày")
    reason = reason_field()

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = tree_choice("Sáp nhập vào", options)
        self.order_fields(["target", "on", "reason"])


class DissolveForm(AdminForm):
    on = date_field("Giải thể từ ngày")
    reason = reason_field()


class SchoolForm(AdminForm):
    name = text_field("Tên trường")
    code = text_field("Mã trường", max_length=40, help_text="Mã duy nhất, ví dụ mã trường của Sở Giáo dục.")
    level = forms.ChoiceField(
        label="Cấp học", choices=School.Level.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    is_public = forms.TypedChoiceField(
        label="Loại hình",
        coerce=lambda v: v == "1",
        choices=[("1", "Công lập"), ("0", "Ngoài công lập")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    has_full_time_party_staff = forms.BooleanField(
        label="Có cán bộ chuyên trách công tác đảng",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, wards, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"] = tree_choice("Phường, xã, đặc khu nơi trường đặt trụ sở", wards, required=False)
        self.fields["party_org"] = tree_choice(
            "Tổ chức đảng của trường",
            units,
            required=False,
            help_text="Để trống nếu trường chưa có tổ chức đảng.",
        )
        self.order_fields(
            ["name", "code", "level", "is_public", "ward", "party_org", "has_full_time_party_staff"]
        )


class AuthorizationForm(AdminForm):
    valid_from = date_field("Hiệu lực từ ngày")
    valid_to = date_field(
        "Đến ngày", required=False, initial_today=False, help_text="Để trống nếu không thời hạn."
    )
    document_number = text_field("Số văn bản ủy quyền", max_length=60)


class RevokeForm(AdminForm):
    on = date_field("Thu hồi từ ngày", help_text="Từ ngày này tổ chức không còn được quyết định kết nạp.")
    reason = reason_field()


ROLE_CHOICES = Role.choices


class UserCreateForm(AdminForm):
    username = text_field(
        "Tên đăng nhập",
        max_length=150,
        autocomplete="off",
        help_text="Chữ, số và các ký tự . _ - (không dấu, không khoảng trắng).",
    )
    full_name = text_field("Họ và tên", max_length=150)
    email = forms.EmailField(
        label="Thư điện tử", required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )
    role = forms.ChoiceField(
        label="Vai trò", choices=ROLE_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = tree_choice("Tại tổ chức", units)
        self.order_fields(["username", "full_name", "email", "unit", "role"])


class GrantRoleForm(AdminForm):
    role = forms.ChoiceField(
        label="Vai trò", choices=ROLE_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = tree_choice("Tại tổ chức", units)
        self.order_fields(["unit", "role"])


class DisableForm(AdminForm):
    reason = text_field("Lý do khóa", max_length=300)
