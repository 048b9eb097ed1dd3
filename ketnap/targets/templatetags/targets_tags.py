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


@register.simple_tag
def children_rows(children, window_key: str):
    """The <tr>s of the children table in one pass (hundreds of units × several indicators: a template loop
    costs tens of milliseconds at city scale)."""
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    if not children:
        return ""
    dash = reverse("targets-dashboard", args=[0]).replace("/0/", "/{}/")
    lag = reverse("targets-lagging", args=[0]).replace("/0/", "/{}/")
    out = []
    for c in children:
        name = escape(c.name)
        if c.visible:
            name = f'<a href="{dash.format(c.unit_id)}?ky={window_key}" class="child-link">{name}</a>'
        cells = "".join(
            '<td class="text-end text-nowrap">'
            + (f'<span class="status-dot status-dot-{cell.color}"></span> ' if cell.color else "")
            + f"{escape(cell.text)}</td>"
            for cell in c.cells
        )
        lagging = num(c.lagging)
        if c.lagging and c.visible:
            lagging = f'<a href="{lag.format(c.unit_id)}?ky={window_key}">{lagging}</a>'
        out.append(
            f'<tr data-unit="{c.unit_id}"><th scope="row" class="fw-normal">{name}'
            f'<div class="small text-secondary">{escape(c.kind)}</div></th>{cells}'
            f'<td class="text-end">{lagging}</td><td class="text-end d-none d-md-table-cell">{num(c.admitted)}</td></tr>'
        )
    return mark_safe("".join(out))
