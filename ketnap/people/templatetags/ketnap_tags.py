"""Template helpers shared by every page: dates dd/mm/yyyy, stage badges, rule and event names."""

import datetime

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ketnap import rules
from ketnap.accounts.roles import Role
from ketnap.people.models import PersonEvent, Stage

register = template.Library()

# Tabler colour of each stage's badge (light variants read well on white and in print).
STAGE_COLORS: dict[str, str] = {
    Stage.SOURCE: "secondary",
    Stage.SYMPATHISER: "azure",
    Stage.APPLICANT: "blue",
    Stage.CELL_APPROVED: "indigo",
    Stage.COMMITTEE_APPROVED: "purple",
    Stage.ADMITTED: "orange",
    Stage.PROBATIONARY: "yellow",
    Stage.OFFICIAL: "green",
    Stage.REMOVED: "red",
    Stage.WITHDRAWN: "dark",
}
STAGE_LABELS = dict(Stage.choices)
KIND_LABELS = dict(PersonEvent.Kind.choices)
ROLE_LABELS = dict(Role.choices)


def format_dmy(value) -> str:
    """dd/mm/yyyy for a date (a datetime is shown in Asia/Ho_Chi_Minh), '' for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


RULE_FALLBACK = "Hạn theo quy định"


def rule_title(rule_id: str) -> str:
    """The Vietnamese title of a rule id, from the rule book (the one place rule titles live). An id the
    book does not know (an old cached value) gets a neutral label: users never see a bare rule id."""
    if not rule_id:
        return ""
    rule = rules.RULES.get(rule_id)
    return rule.title if rule is not None else RULE_FALLBACK


@register.filter
def dmy(value) -> str:
    return format_dmy(value)


@register.filter
def dmy_hm(value) -> str:
    if not value:
        return ""
    from django.utils import timezone

    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


@register.filter
def rule_name(rule_id) -> str:
    return rule_title(str(rule_id or ""))


@register.filter
def stage_label(stage) -> str:
    return STAGE_LABELS.get(stage, stage or "")


@register.filter
def stage_color(stage) -> str:
    return STAGE_COLORS.get(stage, "secondary")


@register.simple_tag
def stage_badge(stage):
    return format_html(
        '<span class="badge bg-{}-lt stage-badge" data-stage="{}">{}</span>',
        STAGE_COLORS.get(stage, "secondary"),
        stage or "",
        STAGE_LABELS.get(stage, stage or ""),
    )


@register.filter
def kind_label(kind) -> str:
    return KIND_LABELS.get(kind, kind or "")


@register.filter
def role_label(role) -> str:
    return ROLE_LABELS.get(role, role or "")


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def user_roles(user):
    """The user's role assignments, for the navbar (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ketnap_role_rows", None)
    if cached is None:
        cached = list(user.roles.select_related("unit").order_by("unit__path", "role"))
        user._ketnap_role_rows = cached
    return cached


@register.filter
def indent_pad(depth) -> str:
    """Non-breaking spaces to indent an <option> of a tree select."""
    try:
        return "\u00a0\u00a0\u00a0" * int(depth)
    except (TypeError, ValueError):
        return ""


def _count(data, yes, total, who):
    if data.get(yes) is None or data.get(total) is None:
        return ""
    return f"{data[yes]}/{data[total]} {who} tán thành"


@register.filter
def event_summary(event) -> str:
    """One Vietnamese line with the facts an event carries (vote counts, numbers, names)."""
    data = event.data or {}
    kind = event.kind
    K = PersonEvent.Kind
    parts: list[str] = []
    if data.get("void"):
        return "Hủy bỏ sự kiện đã ghi"
    if kind in (K.CELL_VOTE, K.RECOGNITION_VOTE):
        parts.append(_count(data, "in_favour", "official_members", "đảng viên chính thức"))
    elif kind == K.COMMITTEE_VOTE:
        parts.append(_count(data, "in_favour", "members", "cấp ủy viên"))
    elif kind == K.DECISION:
        if data.get("decider_name"):
            parts.append(f"Cấp quyết định: {data['decider_name']}")
        if data.get("authorized"):
            parts.append("theo ủy quyền")
            parts.append(_count(data, "in_favour", "members", "cấp ủy viên"))
        if data.get("received"):
            parts.append(f"chi bộ nhận ngày {format_dmy(data['received'])}")
    elif kind == K.DECISION_EXTENSION:
        parts.append(f"Gia hạn {data.get('days', '?')} ngày làm việc")
    elif kind == K.MENTOR_ASSIGNED:
        parts.append(f"Đảng viên giúp đỡ: {data.get('mentor_name', '')}")
    elif kind == K.MEMBER_INTRODUCTION:
        intro = data.get("introducer") or {}
        if intro.get("name"):
            parts.append(f"Người giới thiệu: {intro['name']}")
        if intro.get("official_since"):
            parts.append(f"chính thức từ {format_dmy(intro['official_since'])}")
        if intro.get("cowork_since"):
            parts.append(f"cùng công tác từ {format_dmy(intro['cowork_since'])}")
        if intro.get("replacement"):
            parts.append("người giới thiệu thay thế")
    elif kind == K.VERIFICATION:
        parts.append("Đã có kết luận" if data.get("concluded") else "Chưa có kết luận")
        if data.get("number"):  # the reply that carries the conclusion, not the request it answers
            parts.append(f"văn bản trả lời số {data['number']}")
    elif kind == K.REQUEST_ANSWERED:
        if data.get("number"):
            parts.append(f"Văn bản trả lời số {data['number']}")
        if data.get("request_number"):
            parts.append(f"trả lời văn bản số {data['request_number']}")
    elif kind == K.AWARENESS_CLASS and data.get("certificate_number"):
        parts.append(f"Giấy chứng nhận số {data['certificate_number']}")
    elif kind == K.MEMBER_IMPORTED:
        if data.get("party_age_from"):
            parts.append(f"Tuổi đảng từ {format_dmy(data['party_age_from'])}")
        if data.get("official_date"):
            parts.append(f"chính thức từ {format_dmy(data['official_date'])}")
    if data.get("number") and kind not in (K.AWARENESS_CLASS, K.VERIFICATION, K.REQUEST_ANSWERED):
        parts.append(f"Số {data['number']}")
    return "; ".join(p for p in parts if p)


@register.filter
def abs_value(value):
    try:
        return abs(value)
    except TypeError:
        return value


_KIND_COLORS = {
    "cell_vote": "indigo",
    "committee_vote": "purple",
    "decision": "orange",
    "decision_extension": "orange",
    "ceremony": "yellow",
    "ceremony_consent": "yellow",
    "recognition_vote": "green",
    "recognition_decision": "green",
    "member_imported": "green",
    "removal": "red",
    "withdrawal": "red",
}


@register.filter
def kind_color(kind) -> str:
    return _KIND_COLORS.get(kind, "blue")


@register.simple_tag
def select_options(options, selected="", indented=False):
    """<option>s for a long list of (value, label[, indent]) tuples, built in one pass: much faster than a
    template loop for the hundreds of units and schools of a city-wide user."""
    selected = "" if selected is None else str(selected)
    parts = []
    for row in options:
        value, label = str(row[0]), row[1]
        pad = "\u00a0\u00a0\u00a0" * row[2] if indented and len(row) > 2 else ""
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{pad}{escape(label)}</option>')
    return mark_safe("".join(parts))


UNNAMED_USER = "Người dùng chưa ghi họ tên"


def full_name_of(user) -> str:
    """A user's full name in Vietnamese order (family name first), or "" when the account has none."""
    if user is None:
        return ""
    return f"{getattr(user, 'last_name', '') or ''} {getattr(user, 'first_name', '') or ''}".strip()


@register.filter
def user_name(user) -> str:
    """A user's name in Vietnamese order (family name first); never the login name, which is not a person's
    name: an account without a name gets a neutral label."""
    if user is None:
        return ""
    return full_name_of(user) or UNNAMED_USER


@register.simple_tag
def query_with(params, **changes) -> str:
    """The query string of ``params`` (request.GET) with some keys replaced (pagination links)."""
    from urllib.parse import urlencode

    merged = {key: params.get(key) for key in params if params.get(key)}
    merged.update({key: value for key, value in changes.items() if value not in (None, "")})
    return urlencode(merged)


LOG_ACTIONS = (  # (prefix of an audit or read log action, what users read)
    ("person.view", "Xem hồ sơ"),
    ("export", "Tải tệp"),
    ("person.correct.", "Đính chính bản ghi"),
    ("person.void.", "Hủy bản ghi"),
    ("person.reinstate", "Khôi phục hồ sơ"),
    ("person.update", "Sửa thông tin người"),
    ("person.rebuild_state", "Tính lại trạng thái"),
    ("person.", "Ghi bước của hồ sơ"),
    ("interorg.", "Văn bản liên tổ chức"),
    ("calendar.", "Lịch ngày làm việc"),
    ("org.", "Cây tổ chức"),
    ("target", "Chỉ tiêu"),
    ("nosource", "Chỉ tiêu"),
    ("user.unlock", "Mở khóa đăng nhập"),
    ("user.two_factor", "Xác thực hai lớp"),
    ("user.logout_everywhere", "Đăng xuất mọi thiết bị"),
    ("account.reset_password", "Đặt lại mật khẩu"),
    ("account.password_changed", "Đổi mật khẩu"),
    ("account.disable", "Khóa tài khoản"),
    ("account.enable", "Mở khóa tài khoản"),
    ("user.", "Người dùng và vai trò"),
    ("account.", "Người dùng và vai trò"),
    ("role.", "Người dùng và vai trò"),
    ("school.", "Trường học"),
    ("import.", "Nhập dữ liệu từ tệp"),
    ("paper.", "Cấp số giấy tờ"),
    ("rollup.", "Tính lại số liệu chỉ tiêu"),
    ("audit.", "Nhật ký kiểm toán"),
    ("demo.", "Dữ liệu mẫu"),
    ("bench.", "Dữ liệu đo hiệu năng"),
)


@register.filter
def log_action(action) -> str:
    action = str(action or "")
    return next((label for prefix, label in LOG_ACTIONS if action.startswith(prefix)), "Thao tác khác")


@register.filter
def is_admin(user) -> bool:
    """Holds the admin role somewhere (the audit page's menu link)."""
    from ketnap.accounts.permissions import has_perm_anywhere
    from ketnap.accounts.roles import Perm

    return has_perm_anywhere(user, Perm.ADMIN)


@register.simple_tag
def form_token() -> str:
    """A hidden one-time token for a form that writes: sent twice, it is recorded once (core.perform)."""
    import uuid

    return format_html('<input type="hidden" name="form_token" value="{}">', uuid.uuid4().hex)
