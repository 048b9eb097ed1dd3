"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class TreeSelect(forms.Select):
    """A <select> of units rendered in one pass (Django's per-option templates are slow for the thousands of
    units of a city); a choice may carry an indent: (value, label, depth)."""

    def __init__(self, attrs=None, options=()):
        super().__init__(attrs)
        self.options_rows = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        parts = [format_html("<select{}>", flatatt(final)), '<option value="">— Chọn —</option>']
        for row in self.options_rows:
            key = str(row[0])
            pad = "\u00a0\u00a0\u00a0" * row[2] if len(row) > 2 else ""
            mark = " selected" if key == chosen else ""
            parts.append(format_html('<option value="{}"{}>{}{}</option>', key, mark, pad, row[1]))
        parts.append("</select>")
        return mark_safe("".join(parts))


def tree_choice(label: str, options, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    """A choice of one of ``options`` ((pk, name, depth) rows): cleaned to the pk (an int)."""
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        choices=[("", "—")] + [(row[0], row[1]) for row in options],
        widget=TreeSelect(attrs={"class": "form-select"}, options=options),
        help_text=help_text,
        error_messages={"invalid_choice": "Hãy chọn một tổ chức trong danh sách."},
    )
