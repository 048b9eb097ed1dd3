"""The columns of each kind of import, declared once: for reading a file (headers matched without accents or
case, with aliases), for the downloadable template (headers, an example row, an explanation sheet) and for
docs/import.md. The persons' columns include every column of the people list's export
(`people.tables.COLUMNS`), so that an exported list imports back as "unchanged"."""

from __future__ import annotations

from dataclasses import dataclass

from ketnap.core.text import fold
from ketnap.orgs.models import OrgUnit, School
from ketnap.people.models import Education, Gender, SchoolRole


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    type: str  # text, date, bool, count, choice, citizen_id, ignore
    help: str
    example: object = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): a cell may hold the label or the value
    template: bool = True  # in the template (the export's computed columns are read but not offered)

    @property
    def names(self) -> set[str]:
        return {fold(self.header), *(fold(a) for a in self.aliases)}

    def allowed(self) -> str:
        if self.choices:
            return "; ".join(label for _, label in self.choices)
        return {
            "date": "ngày dạng dd/mm/yyyy hoặc ô ngày của Excel",
            "bool": "Có hoặc Không (để trống: Không)",
            "count": "số nguyên",
            "citizen_id": "12 chữ số",
            "ignore": "bỏ qua khi nhập",
        }.get(self.type, "chữ")


def _choices(enum) -> tuple[tuple[str, str], ...]:
    return tuple((value, label) for value, label in enum.choices if value)


UNIT_HELP = "Tên hoặc mã chi bộ. Nhập tại một chi bộ: để trống hoặc ghi đúng chi bộ đó."

PERSON_COLUMNS: list[Col] = [
    Col("row_number", "STT", "ignore", "Số thứ tự (bỏ qua khi nhập).", 1),
    Col("family_name", "Họ", "text", "Họ.", "Nguyễn", required=True),
    Col("middle_name", "Tên đệm", "text", "Tên đệm (có thể để trống).", "Thị Minh"),
    Col("given_name", "Tên", "text", "Tên.", "Khai", required=True),
    Col(
        "full_name",
        "Họ và tên",
        "text",
        "Thay cho ba cột Họ, Tên đệm, Tên: chữ đầu là họ, chữ cuối là tên.",
        template=False,
    ),  # fmt: skip
    Col("birth_date", "Ngày sinh", "date", "Ngày sinh.", "15/03/2004", required=True),
    Col("gender", "Giới tính", "choice", "Giới tính.", "Nữ", required=True, choices=_choices(Gender)),
    Col(
        "citizen_id",
        "Số CCCD",
        "citizen_id",
        "Số định danh cá nhân (căn cước công dân), 12 chữ số; dùng để nhận ra người đã có.",
        "079304001234",
        aliases=("CCCD", "Số định danh cá nhân", "Số căn cước", "Số căn cước công dân"),
    ),  # fmt: skip
    Col(
        "stage",
        "Giai đoạn",
        "ignore",
        "Có trong danh sách xuất ra; bỏ qua khi nhập (giai đoạn do các ngày bên dưới quyết định).",
        template=False,
    ),  # fmt: skip
    Col("stage_since", "Từ ngày", "ignore", "Có trong danh sách xuất ra; bỏ qua khi nhập.", template=False),
    Col("unit", "Chi bộ", "text", UNIT_HELP, ""),
    Col("school", "Trường", "text", "Tên hoặc mã trường (trong phạm vi của đơn vị).", ""),
    Col(
        "school_role",
        "Vai trò trong trường",
        "choice",
        "Vai trò trong trường.",
        "Sinh viên",
        required=True,
        choices=_choices(SchoolRole),
    ),  # fmt: skip
    Col(
        "faculty_class",
        "Khoa, lớp",
        "text",
        "Khoa, lớp hoặc tổ bộ môn.",
        "Lớp 22CTT1",
        aliases=("Khoa, lớp, tổ bộ môn", "Lớp", "Khoa"),
    ),  # fmt: skip
    Col(
        "education",
        "Trình độ học vấn",
        "choice",
        "Trình độ học vấn cao nhất.",
        "Trung học phổ thông",
        required=True,
        choices=_choices(Education),
    ),  # fmt: skip
    Col("youth_union_member", "Đoàn viên", "bool", "Là đoàn viên Đoàn TNCS Hồ Chí Minh.", "Có"),
    Col(
        "excellent_youth_union_member",
        "Đoàn viên ưu tú",
        "bool",
        "Được Đoàn giới thiệu là đoàn viên ưu tú.",
        "Có",
    ),
    Col(
        "next_due", "Hạn tiếp theo", "ignore", "Có trong danh sách xuất ra; bỏ qua khi nhập.", template=False
    ),
    Col(
        "next_due_rule",
        "Nội dung hạn",
        "ignore",
        "Có trong danh sách xuất ra; bỏ qua khi nhập.",
        template=False,
    ),
    Col(
        "party_age_from",
        "Tuổi đảng tính từ",
        "date",
        "Đảng viên đã có: ngày của quyết định kết nạp (tuổi đảng tính "
        "từ ngày này). Để trống nếu chưa là đảng viên.",
        "",
        aliases=("Ngày quyết định kết nạp", "Ngày kết nạp"),
    ),  # fmt: skip
    Col(
        "official_date",
        "Ngày chính thức",
        "date",
        "Đảng viên chính thức: ngày được công nhận chính thức. Để trống nếu là đảng viên dự bị.",
        "",
        aliases=("Ngày công nhận chính thức",),
    ),  # fmt: skip
    Col(
        "expected_graduation",
        "Dự kiến tốt nghiệp",
        "date",
        "Ngày dự kiến tốt nghiệp (học sinh, sinh viên).",
        "30/06/2026",
    ),  # fmt: skip
    Col(
        "residence_ward",
        "Nơi cư trú",
        "text",
        "Tên hoặc mã phường, xã nơi cư trú.",
        "",
        aliases=("Nơi cư trú (phường, xã)", "Phường, xã cư trú"),
    ),  # fmt: skip
    Col(
        "ceremony_date",
        "Ngày lễ kết nạp",
        "date",
        "Đảng viên đã có: ngày tổ chức lễ kết nạp (bắt buộc với đảng viên dự bị).",
        "",
    ),  # fmt: skip
    Col(
        "admitted_at",
        "Nơi kết nạp",
        "text",
        "Đảng viên đã có: tổ chức đảng đã kết nạp (ghi để tra cứu; không tính là kết nạp của đơn vị nhập).",
        "",
    ),  # fmt: skip
    Col(
        "source_identified",
        "Ngày vào nguồn",
        "date",
        "Ngày được đưa vào nguồn. Để trống: ngày của bước đầu tiên bên dưới, hoặc ngày nhập.",
        "05/09/2025",
    ),  # fmt: skip
    Col(
        "awareness_class",
        "Ngày học lớp nhận thức về Đảng",
        "date",
        "Ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng.",
        "20/10/2025",
    ),  # fmt: skip
    Col(
        "application",
        "Ngày làm đơn xin vào Đảng",
        "date",
        "Ngày ghi trên đơn xin vào Đảng.",
        "",
        aliases=("Ngày làm đơn",),
    ),  # fmt: skip
    Col(
        "biography",
        "Ngày lý lịch",
        "date",
        "Ngày hoàn thành lý lịch người xin vào Đảng.",
        "",
        aliases=("Ngày lý lịch người xin vào Đảng",),
    ),  # fmt: skip
    Col(
        "youth_union_introduction",
        "Ngày nghị quyết giới thiệu của Đoàn",
        "date",
        "Ngày nghị quyết Đoàn giới thiệu đoàn viên ưu tú.",
        "",
    ),  # fmt: skip
    Col(
        "trade_union_introduction",
        "Ngày nghị quyết giới thiệu của Công đoàn",
        "date",
        "Ngày nghị quyết Công đoàn giới thiệu (người không còn trong độ tuổi Đoàn).",
        "",
    ),  # fmt: skip
    Col(
        "member_introduction",
        "Ngày giấy giới thiệu của đảng viên",
        "date",
        "Ngày đảng viên chính thức viết giấy giới thiệu; cần thêm ba cột sau.",
        "",
    ),  # fmt: skip
    Col("introducer_name", "Đảng viên giới thiệu", "text", "Họ và tên đảng viên giới thiệu.", ""),
    Col(
        "introducer_official_since",
        "Ngày đảng viên giới thiệu được công nhận chính thức",
        "date",
        "Ngày đảng viên giới thiệu là đảng viên chính thức.",
        "",
        aliases=("Ngày chính thức của người giới thiệu",),
    ),  # fmt: skip
    Col(
        "introducer_cowork_since",
        "Ngày bắt đầu cùng công tác, học tập",
        "date",
        "Ngày đảng viên giới thiệu bắt đầu cùng công tác, học tập với người vào Đảng.",
        "",
    ),  # fmt: skip
    Col(
        "comments",
        "Ngày tổng hợp ý kiến nhận xét",
        "date",
        "Ngày tổng hợp ý kiến nhận xét của đoàn thể và chi ủy nơi cư trú.",
        "",
    ),  # fmt: skip
    Col(
        "verification",
        "Ngày kết luận thẩm tra lý lịch",
        "date",
        "Ngày có kết luận thẩm tra, xác minh lý lịch.",
        "",
    ),
    Col(
        "cell_vote",
        "Ngày chi bộ xét kết nạp",
        "date",
        "Ngày chi bộ họp xét, biểu quyết đề nghị kết nạp; cần thêm hai cột sau.",
        "",
    ),  # fmt: skip
    Col(
        "cell_vote_members",
        "Số đảng viên chính thức của chi bộ",
        "count",
        "Tổng số đảng viên chính thức của chi bộ ngày xét.",
        "",
    ),  # fmt: skip
    Col("cell_vote_in_favour", "Số đảng viên tán thành", "count", "Số đảng viên chính thức tán thành.", ""),
    Col(
        "committee_vote",
        "Ngày đảng ủy cơ sở xét kết nạp",
        "date",
        "Ngày đảng ủy cơ sở xét, biểu quyết (không có với chi bộ cơ sở); cần thêm hai cột sau.",
        "",
    ),  # fmt: skip
    Col("committee_vote_members", "Số cấp ủy viên", "count", "Tổng số cấp ủy viên của đảng ủy cơ sở.", ""),
    Col("committee_vote_in_favour", "Số cấp ủy viên tán thành", "count", "Số cấp ủy viên tán thành.", ""),
]

# The steps a candidate part-way through the path may bring, in the order of the path.
STEP_KINDS = (
    "awareness_class",
    "application",
    "biography",
    "youth_union_introduction",
    "trade_union_introduction",
    "member_introduction",
    "comments",
    "verification",
    "cell_vote",
    "committee_vote",
)

UNIT_KINDS = tuple((v, label) for v, label in OrgUnit.Kind.choices if v != OrgUnit.Kind.CITY)

UNIT_COLUMNS: list[Col] = [
    Col(
        "code",
        "Mã tổ chức",
        "text",
        "Mã duy nhất của tổ chức đảng (dùng để nhận ra tổ chức đã có).",
        "KHTN-SV-VL",
        required=True,
        aliases=("Mã",),
    ),  # fmt: skip
    Col(
        "name",
        "Tên tổ chức",
        "text",
        "Tên đầy đủ.",
        "Chi bộ Sinh viên Khoa Vật lý",
        required=True,
        aliases=("Tên",),
    ),  # fmt: skip
    Col("kind", "Loại", "choice", "Loại tổ chức.", "Chi bộ trực thuộc", required=True, choices=UNIT_KINDS),
    Col(
        "cell_kind",
        "Loại chi bộ",
        "choice",
        "Chỉ với chi bộ.",
        "Chi bộ sinh viên, học sinh",
        choices=tuple((v, label) for v, label in OrgUnit.CellKind.choices if v),
    ),  # fmt: skip
    Col(
        "parent",
        "Mã cấp trên",
        "text",
        "Mã của tổ chức cấp trên trực tiếp (đã có, hoặc ở một dòng khác của tệp).",
        "KHTN",
        required=True,
    ),  # fmt: skip
    Col(
        "founded_on",
        "Ngày thành lập",
        "date",
        "Ngày thành lập (trực thuộc cấp trên từ ngày này).",
        "01/09/2026",
        required=True,
    ),  # fmt: skip
    Col("has_youth_union", "Có tổ chức Đoàn", "bool", "Đơn vị có tổ chức Đoàn (để trống: Có).", "Có"),
]

SCHOOL_COLUMNS: list[Col] = [
    Col(
        "code",
        "Mã trường",
        "text",
        "Mã duy nhất của trường (dùng để nhận ra trường đã có).",
        "S-LQD",
        required=True,
    ),
    Col("name", "Tên trường", "text", "Tên đầy đủ.", "Trường THPT Lê Quý Đôn", required=True),
    Col(
        "level",
        "Cấp học",
        "choice",
        "Cấp học.",
        "Trung học phổ thông",
        required=True,
        choices=tuple(School.Level.choices),
    ),  # fmt: skip
    Col("is_public", "Công lập", "bool", "Trường công lập (để trống: Có).", "Có"),
    Col("ward", "Mã phường, xã", "text", "Mã phường, xã, đặc khu nơi trường đặt trụ sở.", "P-VOTHISAU"),
    Col(
        "party_org",
        "Mã tổ chức đảng",
        "text",
        "Mã tổ chức đảng của trường; để trống nếu chưa có.",
        "THPT-LQD",
    ),
    Col(
        "has_full_time_party_staff",
        "Có cán bộ chuyên trách",
        "bool",
        "Có cán bộ chuyên trách công tác đảng.",
        "Không",
    ),  # fmt: skip
]

KINDS = {
    "persons": "Người: nguồn, đối tượng đang xét, đảng viên đã có",
    "tree": "Cây tổ chức đảng và trường học",
}


def match_headers(header_row: list, columns: list[Col]) -> tuple[dict[str, int], list[str]]:
    """{column key: index} for the headers found (folded, aliases), and the headers not recognised."""
    from ketnap.exchange.reading import text

    found: dict[str, int] = {}
    unknown = []
    by_name = {name: c.key for c in columns for name in c.names}
    for i, cell in enumerate(header_row):
        label = text(cell)
        if not label:
            continue
        key = by_name.get(fold(label))
        if key is None or key in found:
            unknown.append(label)
        else:
            found[key] = i
    return found, unknown


def looks_like(header_row: list, columns: list[Col]) -> bool:
    found, _ = match_headers(header_row, columns)
    required = [c.key for c in columns if c.required and c.key in found]
    return len(found) >= 2 and bool(required)


def choice_value(col: Col, raw: str) -> str:
    from ketnap.exchange.reading import BadValue

    key = fold(raw)
    for value, label in col.choices:
        if key in (fold(label), fold(value)):
            return value
    extra = {"nam": "M", "nu": "F"} if col.key == "gender" else {}
    if key in extra:
        return extra[key]
    raise BadValue(f"“{raw}” không có trong các giá trị: {col.allowed()}")
