"""Every URL pattern of the project, by name: how to build its arguments in the world of world.py and who may
do what there. test_url_matrix.py asserts the table (anonymous → login, out of scope → 404, missing role →
403, allowed → 200 or the redirect of a successful write); test_bad_input.py sends bad values to the same
URLs. A URL pattern missing from ROUTES fails both.

Users are those of ketnap/testing.py (plus ``admin_a``, administrator of ward A only, from world.py):

- ``see``: a user who may open the page (GET answers ``get``: 200, or 302/204/405 where the view does so);
- ``out``: users with roles elsewhere for whom the object is out of scope: 404 on GET and POST;
- ``lacks``: users who see the object but lack the role: 403 on POST (valid data or none at all), and on GET
  too when ``get_role`` (a page that is itself a writing form); otherwise their GET answers ``get``;
- ``do`` + ``post``: a user allowed to write and valid data: the POST answers ``posted``.

The world's objects: ``w.applicant`` (an applicant of the student cell), ``w.sympathiser``, ``w.member`` (an
official member, mentor), ``w.graduate`` (a graduated student member), ``w.request`` (a verification sent by
the university's committee to ward B), ``w.batch`` (transfers sent by the university's committee), ``w.job``
(an import checked, uploaded by ``cell_clerk``), ``w.no_source`` (cell B, recorded by ward B)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ketnap.core.tests.world import dmy


@dataclass(frozen=True)
class Route:
    args: Callable = lambda w: []
    query: Callable = lambda w: {}
    see: str | None = "cell_viewer"
    get: int = 200
    out: str | tuple | None = None
    lacks: str | tuple | None = None
    get_role: bool = False
    do: str | None = None
    post: Callable | None = None
    posted: int = 302
    from_page: bool = False  # start the POST from the form as the page renders it for `do`
    public: bool = False
    notes: str = ""
    params: tuple = field(default=())  # list parameters of the page beyond the common ones (bad-input test)


def _today(w) -> str:
    return dmy(w.today)


ANY = "cell_viewer"  # any logged-in user: pages without an object, scoped by their content

ROUTES: dict[str, Route] = {
    # ------------------------------------------------------------------ public, account
    "login": Route(public=True, see=None),
    "healthz": Route(public=True, see=None),
    "logout": Route(see=ANY, get=405, do=ANY, post=lambda w: {}),
    "logout-everywhere": Route(see=ANY, get=405, do=ANY, post=lambda w: {}),
    # the second step of a login: without a pending code the page sends the user on (302); the codes
    # themselves are tested in accounts/tests/test_login_protection.py (they need the device's secret)
    "two-factor-verify": Route(see=ANY, get=302),
    "two-factor-setup": Route(see=ANY),
    "password-change": Route(
        see=ANY,
        do="cell_viewer",
        post=lambda w: {
            "old_password": "matkhau-thu-nghiem",
            "new_password1": "Mật-khẩu-mới-2026!",
            "new_password2": "Mật-khẩu-mới-2026!",
        },  # fmt: skip
    ),
    # ------------------------------------------------------------------ home, tree, calendar, audit
    "home": Route(see=ANY),
    "org-tree": Route(see=ANY, params=("q",)),
    "org-detail": Route(args=lambda w: [w.cell_student.pk], out="ward_a"),
    "org-add-source": Route(
        args=lambda w: [w.cell_student.pk],
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="cell_clerk",
        from_page=True,
        post=lambda w: {"full_name": "Phạm Thị Mới", "birth_date": "02/03/2005", "gender": "F"},
    ),
    "org-authorized-decisions": Route(args=lambda w: [w.uni.pk], see="uni_committee", out="ward_a"),
    "calendar": Route(
        see=ANY,
        lacks=("city_viewer", "admin_a"),  # the calendar is the city's: an administrator of a ward may not
        do="city_admin",
        post=lambda w: {"date": "02/05/2027", "is_working_day": "0", "note": "Thông báo 2/TB"},
        params=("nam",),
    ),
    "calendar-remove": Route(
        see=ANY,
        get=405,
        lacks=("city_viewer", "admin_a"),
        do="city_admin",
        post=lambda w: {"date": w.saturday.isoformat()},
    ),
    "audit-log": Route(
        query=lambda w: {"don-vi": w.cell_student.pk},
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        params=("loai", "nguoi-dung", "don-vi", "ho-so", "tu", "den", "trang"),
    ),
    # ------------------------------------------------------------------ people
    "person-list": Route(
        see=ANY, params=("q", "stage", "unit", "school_role", "school", "due", "blocked", "sort")
    ),
    "pipeline": Route(query=lambda w: {"unit": w.cell_student.pk}, out="ward_a", params=("unit",)),
    # the <option>s of a long unit or school list matching the words typed (scoped by its content)
    "option-search": Route(
        args=lambda w: ["don-vi"], query=lambda w: {"tim-don-vi": "chi bo"}, see=ANY, params=("tim-don-vi",)
    ),  # fmt: skip
    "person-detail": Route(
        args=lambda w: [w.applicant.pk], out=("ward_a", "ward_a_viewer", "secretary_a", "admin_a")
    ),
    "person-record": Route(
        args=lambda w: [w.sympathiser.pk, "application"],
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="cell_clerk",
        post=lambda w: {"occurred_on": _today(w)},
    ),
    "person-edit": Route(
        args=lambda w: [w.applicant.pk],
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="cell_clerk",
        from_page=True,
        post=lambda w: {"faculty_class": "K50 Công nghệ thông tin", "reason": "Bổ sung lớp"},
    ),
    "person-correct": Route(
        args=lambda w: [w.applicant.pk, w.event.pk],
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="cell_clerk",
        post=lambda w: {"action": "void", "note": "Ghi nhầm người", "confirm": "on"},
    ),
    # ------------------------------------------------------------------ between organisations
    "request-list": Route(see=ANY, params=("q", "kind", "status", "due", "side", "unit", "sort")),
    "inbox": Route(
        query=lambda w: {"unit": w.cell_student.pk}, out="ward_a", params=("loai", "qua-han", "unit", "trang")
    ),
    "escalation": Route(query=lambda w: {"unit": w.cell_student.pk}, out="ward_a", params=("unit",)),
    "request-new": Route(
        args=lambda w: ["tham-tra"],
        query=lambda w: {"person": w.applicant.pk},
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="uni_committee",
        from_page=True,
        post=lambda w: {"receiver": w.ward_b.pk, "sent_on": _today(w)},
        params=("person",),
    ),
    "request-detail": Route(args=lambda w: [w.request.pk], see="ward_b", out="ward_a"),
    "request-letter": Route(args=lambda w: [w.request.pk], see="ward_b", out="ward_a"),
    "request-act": Route(
        args=lambda w: [w.request.pk, "nhan"],
        see="ward_b",
        get=405,
        out="ward_a",
        lacks=("city_viewer", "uni_committee"),  # the sender does not record the receiver's steps
        do="ward_b",
        post=lambda w: {"received_on": _today(w)},
    ),
    "graduation": Route(
        query=lambda w: {"unit": w.uni.pk},
        see="uni_committee",
        out="ward_a",
        lacks="city_viewer",
        do="uni_committee",
        post=lambda w: {
            "person": [w.graduate.pk],
            f"receiver_{w.graduate.pk}": w.ward_b.pk,
            "sent_on": _today(w),
            "action": "send",
        },  # fmt: skip
        params=("unit", "trong"),
    ),
    "graduate-hold": Route(
        args=lambda w: [w.graduate.pk],
        see="uni_committee",
        get=405,
        out="ward_a",
        lacks=("cell_clerk", "city_viewer"),  # a clerk of the cell: the hold is the grassroots committee's
        do="uni_committee",
        post=lambda w: {"occurred_on": _today(w), "note": "Chưa có việc làm"},
    ),
    "batch-detail": Route(args=lambda w: [w.batch.pk], see="uni_committee", out="ward_a"),
    "batch-print": Route(args=lambda w: [w.batch.pk], see="uni_committee", out="ward_a"),
    "ward-letters": Route(
        query=lambda w: {"phuong": w.ward_a.pk},
        see="ward_a_viewer",
        out="ward_b",
        lacks="ward_a_viewer",
        do="ward_a",
        post=lambda w: {
            "loai": "ward_evaluation",
            "person": [w.pupil.pk],
            f"rating_{w.pupil.pk}": "good",
            f"content_{w.pupil.pk}": "Tích cực tình nguyện",
            "sent_on": _today(w),
        },  # fmt: skip
        params=("phuong", "loai", "truong"),
    ),
    "quarterly": Route(
        query=lambda w: {"unit": w.cell_student.pk}, out="ward_a", params=("nam", "quy", "unit")
    ),
    "mentors": Route(query=lambda w: {"unit": w.cell_student.pk}, out="ward_a", params=("unit", "trang")),
    "mentor-detail": Route(args=lambda w: [w.member.pk], out="ward_a"),
    "mentor-assign": Route(
        args=lambda w: [w.sympathiser.pk],
        get=405,
        out="ward_a",
        lacks="cell_viewer",
        do="cell_clerk",
        post=lambda w: {"mentor": w.member.pk, "occurred_on": _today(w)},
    ),
    "reminder-runs": Route(  # the sweep is city-wide and the page lists every user's digest
        see="city_admin", lacks=("city_viewer", "admin_a"), get_role=True, do="city_admin", post=lambda w: {}
    ),
    # ------------------------------------------------------------------ targets
    "targets-root": Route(see=ANY, get=302),
    "targets-dashboard": Route(
        args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky", "chi-so", "bang")
    ),
    "targets-indicator": Route(
        args=lambda w: [w.cell_student.pk, "HE_ADMISSIONS"], out="ward_a", params=("ky", "trang")
    ),
    "targets-lagging": Route(args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky", "trang")),
    "targets-persons": Route(
        args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky", "luong", "dh", "trang")
    ),
    "targets-weaknesses": Route(args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky",)),
    "targets-weakness": Route(
        args=lambda w: [w.uni.pk, "W_POOL_GT_ADMISSIONS"],
        see="uni_committee",
        out="ward_a",
        params=("ky", "trang"),
    ),  # fmt: skip
    "targets-pipeline": Route(args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky",)),
    "targets-review": Route(args=lambda w: [w.cell_student.pk], out="ward_a", params=("ky",)),
    "targets-assign": Route(
        args=lambda w: [w.uni.pk],
        see="uni_committee",
        out="ward_a",
        lacks="city_viewer",
        do="uni_committee",
        post=lambda w: {"indicator": "HE_ADMISSIONS", f"t-{w.cell_student.pk}": "5", "note": "Văn bản 3-CV"},
        params=("ky", "chi-so"),
    ),
    "targets-no-source": Route(
        args=lambda w: [w.ward_a.pk],
        see="ward_a_viewer",
        out="ward_b",
        lacks="ward_a_viewer",
        do="ward_a",
        post=lambda w: {"cell": w.cell_a.pk, "reason": "Không còn quần chúng ưu tú"},
        params=("ky",),
    ),
    "targets-no-source-withdraw": Route(
        args=lambda w: [w.ward_b.pk, w.no_source.pk],
        see="ward_b",
        get=405,
        out="ward_a",
        lacks="city_viewer",
        do="ward_b",
        post=lambda w: {"reason": "Đã có nguồn mới"},
    ),
    # ------------------------------------------------------------------ papers
    "paper-dossier": Route(args=lambda w: [w.applicant.pk], out="ward_a"),
    "paper-blank": Route(args=lambda w: [w.applicant.pk, "1-knd", "docx"], out="ward_a"),
    "paper-person": Route(args=lambda w: [w.applicant.pk, "5-knd", w.comments.pk, "docx"], out="ward_a"),
    "paper-letter": Route(args=lambda w: [w.request.pk, "docx"], see="ward_b", out="ward_a"),
    "paper-batch": Route(args=lambda w: [w.batch.pk, "docx"], see="uni_committee", out="ward_a"),
    "paper-review": Route(args=lambda w: [w.cell_student.pk, "docx"], out="ward_a", params=("ky",)),
    # ------------------------------------------------------------------ administration
    "admin-unit-create": Route(
        args=lambda w: [w.uni.pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        from_page=True,
        post=lambda w: {
            "name": "Chi bộ Sinh viên Khoa Vật lý",
            "code": "KHTN-SV-VL",
            "kind": "cell",
            "cell_kind": "student",
            "on": _today(w),
        },  # fmt: skip
    ),
    "admin-unit-rename": Route(
        args=lambda w: [w.cell_staff.pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {"name": "Chi bộ Khoa Toán - Tin", "on": _today(w), "reason": "Quyết định 5-QĐ"},
    ),
    "admin-unit-move": Route(
        args=lambda w: [w.cell_b.pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {"parent": w.ward_a.pk, "on": _today(w), "reason": "Quyết định 6-QĐ"},
    ),
    "admin-unit-merge": Route(
        args=lambda w: [w.cell_staff.pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {"target": w.cell_student.pk, "on": _today(w), "reason": "Quyết định 7-QĐ"},
    ),
    "admin-unit-dissolve": Route(
        args=lambda w: [w.cell_staff.pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {"on": _today(w), "reason": "Quyết định 8-QĐ"},
    ),
    "admin-authorize": Route(
        args=lambda w: [w.uni.pk],
        see="upper_committee",
        out="ward_a",
        lacks="uni_committee",  # the authorisation is the upper committee's
        get_role=True,
        do="upper_committee",
        post=lambda w: {"valid_from": "01/06/2027", "document_number": "20-QĐ/ĐU"},
    ),
    "admin-authorization-revoke": Route(
        args=lambda w: [w.authorization.pk],
        see="upper_committee",
        out="ward_a",
        lacks="uni_committee",
        get_role=True,
        do="upper_committee",
        post=lambda w: {"on": _today(w), "reason": "Quyết định 9-QĐ"},
    ),
    "admin-schools": Route(see="city_admin", lacks="city_viewer", get_role=True, params=("q",)),
    "admin-school-create": Route(
        see="city_admin",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {
            "name": "Trường THPT Lê Quý Đôn",
            "code": "S-LQD",
            "level": "upper_secondary",
            "is_public": "1",
            "ward": w.ward_a.pk,
        },  # fmt: skip
        params=("unit",),
    ),
    "admin-school": Route(
        args=lambda w: [w.school_a.pk],
        see="admin_a",
        out="ward_b",
        lacks="ward_a",  # the ward's committee sees the school, only an administrator edits it
        get_role=True,
        do="admin_a",
        from_page=True,
        post=lambda w: {"name": "Trường THPT Trưng Vương (cơ sở 1)"},
    ),
    "admin-users": Route(see="city_admin", lacks="city_viewer", get_role=True, params=("q",)),
    "admin-user-create": Route(
        see="city_admin",
        lacks="city_viewer",
        get_role=True,
        do="city_admin",
        post=lambda w: {
            "username": "nguoi_moi",
            "full_name": "Người Mới",
            "unit": w.cell_student.pk,
            "role": "viewer",
        },
        posted=200,  # the page shows the temporary password once
        params=("unit",),
    ),
    "admin-user": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        out="admin_a",
        lacks="city_viewer",
        get_role=True,
    ),
    "admin-user-grant": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {"unit": w.cell_staff.pk, "role": "viewer"},
    ),
    "admin-user-active": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {"active": "0", "reason": "Nghỉ công tác"},
    ),
    "admin-user-password": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {},
        posted=200,  # the page shows the temporary password once
    ),
    "admin-user-unlock": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {},
    ),
    "admin-user-two-factor-off": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {"reason": "Mất điện thoại"},
    ),
    "admin-user-logout": Route(
        args=lambda w: [w.users["cell_clerk"].pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {},
    ),
    "admin-role-revoke": Route(
        args=lambda w: [w.clerk_role.pk],
        see="city_admin",
        get=405,
        out="admin_a",
        lacks="city_viewer",
        do="city_admin",
        post=lambda w: {},
    ),
    # ------------------------------------------------------------------ imports
    "import-home": Route(see=ANY),
    "import-template": Route(args=lambda w: ["persons"], see=ANY),
    "import-new": Route(
        args=lambda w: [w.cell_student.pk, "persons"],
        see="cell_clerk",
        out="ward_a",
        lacks="cell_viewer",
        get_role=True,
        do="cell_clerk",
        post=lambda w: {"file": upload(), "encoding": ""},
    ),
    "import-job": Route(args=lambda w: [w.job.pk], out="ward_a", params=("loai", "trang")),
    "import-progress": Route(args=lambda w: [w.job.pk], get=204, out="ward_a"),
    "import-commit": Route(
        args=lambda w: [w.job.pk],
        get=405,
        out="ward_a",
        lacks="cell_viewer",
        do="cell_clerk",
        post=lambda w: {},
    ),
    "import-decide": Route(
        args=lambda w: [w.job.pk],
        get=405,
        out="ward_a",
        lacks="cell_viewer",
        do="cell_clerk",
        post=lambda w: {},
    ),
    "import-recheck": Route(
        args=lambda w: [w.job.pk],
        get=405,
        out="ward_a",
        lacks="cell_viewer",
        do="cell_clerk",
        post=lambda w: {},
    ),
    "import-rejects": Route(args=lambda w: [w.job.pk], out="ward_a"),
}


def upload(content: bytes | None = None, name: str = "ds.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx

    if content is None:
        content = xlsx([HEAD, person_row(given="Tải")])
    return SimpleUploadedFile(name, content)


def url_names() -> list[str]:
    """Every named URL pattern of the project (the resolver walked recursively); an unnamed one is reported by
    its route."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield p.name or f"(không tên) {prefix}{p.pattern}"

    return list(walk(get_resolver().url_patterns))
