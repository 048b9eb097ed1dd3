"""The papers Ketnap writes: the admission forms of HD 12-HD/BTCTW (mẫu 1-KNĐ … 15-KNĐ) and the recognition
decision, each tied to the kind of ledger entry it records.

``FORMS`` is in the order the guide lists the dossier (the whole dossier PDF follows it). A form names its
template (``ketnap/templates/papers/forms/``), the body that issues it and, for a party document that carries
a number, the symbol of its kind (NQ resolution, BC report, QĐ decision). Pure data: no database here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Form:
    code: str  # as printed on the paper: "6-KNĐ"
    slug: str  # in the address: "6-knd"
    title: str  # what the paper is, in the lists and the dossier's contents
    kinds: tuple[str, ...]  # the ledger entries it records; () for a paper of the person alone
    template: str
    # Who issues it: "cell" (the cell that held the person that day), "grassroots" (the grassroots committee
    # above that cell), "decider" (the committee that decided the admission), "person" (the applicant or
    # member), "member" (an introducing member), "helper" (the helping member), "youth_union", "trade_union",
    # "partial" (a partial committee, which Ketnap's tree does not hold).
    issuer: str
    symbol: str = ""  # a numbered party document: its kind's symbol; "" for a paper without a party number
    typed_number: bool = False  # the number typed into the ledger is the paper's number
    in_dossier: bool = True  # part of the whole dossier (7-KNĐ only where a partial committee exists)
    note: str = ""  # shown after the title in the lists

    @property
    def numbered(self) -> bool:
        return bool(self.symbol)

    @property
    def label(self) -> str:
        return f"{self.title} (mẫu {self.code})" if self.code.endswith("KNĐ") else self.title


FORMS: list[Form] = [
    Form("1-KNĐ", "1-knd", "Đơn xin vào Đảng", ("application",), "papers/forms/1.html", "person"),
    Form("2-KNĐ", "2-knd", "Lý lịch của người xin vào Đảng", ("biography",), "papers/forms/2.html", "person"),
    Form("3-KNĐ", "3-knd", "Giấy giới thiệu người vào Đảng", ("member_introduction",), "papers/forms/3.html",
         "member"),
    Form("3A-KNĐ", "3a-knd", "Giấy giới thiệu người vào Đảng của hai đảng viên chính thức",
         ("member_introduction",), "papers/forms/3a.html", "member"),
    Form("4-KNĐ", "4-knd", "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng", ("youth_union_introduction",),
         "papers/forms/4.html", "youth_union", typed_number=True),
    Form("4A-KNĐ", "4a-knd", "Nghị quyết giới thiệu đoàn viên công đoàn vào Đảng", ("trade_union_introduction",),
         "papers/forms/4a.html", "trade_union", typed_number=True),
    Form("5-KNĐ", "5-knd", "Tổng hợp ý kiến nhận xét đối với người xin vào Đảng", ("comments",),
         "papers/forms/5.html", "cell", symbol="BC", typed_number=True),
    Form("6-KNĐ", "6-knd", "Nghị quyết của chi bộ đề nghị kết nạp đảng viên", ("cell_vote",),
         "papers/forms/6.html", "cell", symbol="NQ"),
    Form("7-KNĐ", "7-knd", "Báo cáo thẩm định của đảng ủy bộ phận", ("cell_vote",), "papers/forms/7.html",
         "partial", in_dossier=False, note="nơi có đảng ủy bộ phận"),
    Form("8-KNĐ", "8-knd", "Nghị quyết của đảng ủy cơ sở đề nghị kết nạp đảng viên", ("committee_vote",),
         "papers/forms/8.html", "grassroots", symbol="NQ"),
    Form("9-KNĐ", "9-knd", "Quyết định kết nạp đảng viên", ("decision",), "papers/forms/9.html", "decider",
         symbol="QĐ", typed_number=True),
    Form("10-KNĐ", "10-knd", "Bản tự kiểm điểm của đảng viên dự bị", ("self_review",), "papers/forms/10.html",
         "person"),
    Form("11-KNĐ", "11-knd", "Bản nhận xét đảng viên dự bị của đảng viên giúp đỡ", ("helper_comments",),
         "papers/forms/11.html", "helper"),
    Form("12-KNĐ", "12-knd", "Tổng hợp ý kiến nhận xét đối với đảng viên dự bị", ("recognition_comments",),
         "papers/forms/12.html", "cell", symbol="BC", typed_number=True),
    Form("13-KNĐ", "13-knd", "Nghị quyết của chi bộ đề nghị công nhận đảng viên chính thức",
         ("recognition_vote",), "papers/forms/13.html", "cell", symbol="NQ"),
    Form("15-KNĐ", "15-knd", "Nghị quyết của đảng ủy cơ sở đề nghị công nhận đảng viên chính thức",
         ("recognition_vote",), "papers/forms/15.html", "grassroots", symbol="NQ"),
    Form("QĐ-CN", "cong-nhan", "Quyết định công nhận đảng viên chính thức", ("recognition_decision",),
         "papers/forms/recognition.html", "decider", symbol="QĐ", typed_number=True),
]  # fmt: skip

BY_SLUG: dict[str, Form] = {f.slug: f for f in FORMS}
BY_CODE: dict[str, Form] = {f.code: f for f in FORMS}
ORDER: dict[str, int] = {f.code: i for i, f in enumerate(FORMS)}

# The forms a person may print before the step is recorded (the applicant writes them by hand).
BLANK_FORMS = ("1-KNĐ", "2-KNĐ")


def forms_of_kind(kind: str) -> list[Form]:
    return [f for f in FORMS if kind in f.kinds]


KINDS_WITH_PAPERS = frozenset(k for f in FORMS for k in f.kinds)
