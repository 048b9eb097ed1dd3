"""Number formats of the dashboards: Vietnamese decimal comma and thousands dot."""

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.6667 → "66,7%"; None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f}%".replace(".", ",")
    except (TypeError, ValueError):
        return "—"


@register.filter
def num(value) -> str:
    """12345 → "12.345"; None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
