"""Vietnamese personal names for the demo city, with realistic frequencies.

Family names follow the commonly reported shares (Nguyễn about 38%, then Trần, Lê, Phạm, Huỳnh/Hoàng, …),
with the southern spellings (Huỳnh, Võ) more frequent than the northern ones, as they are in Ho Chi Minh City.
Middle names depend on gender and generation: "Văn" and "Thị" are common among people born before the 1990s
and much rarer among today's students.
"""

import random
from dataclasses import dataclass
from itertools import accumulate

# (family name, share in percent)
FAMILY_NAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Huỳnh", 3.4), ("Hoàng", 1.7),
    ("Phan", 4.5), ("Võ", 2.9), ("Vũ", 1.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Trương", 0.9), ("Đinh", 0.6), ("Lâm", 0.6), ("Mai", 0.5),
    ("Đoàn", 0.5), ("Lương", 0.4), ("Châu", 0.4), ("Tô", 0.3), ("Tạ", 0.3), ("Cao", 0.3), ("Thái", 0.3),
    ("Quách", 0.2), ("Hà", 0.3), ("La", 0.2), ("Tăng", 0.2), ("Lưu", 0.2), ("Từ", 0.1), ("Kiều", 0.1),
    ("Triệu", 0.1), ("Văn", 0.1), ("Chung", 0.1), ("Nghiêm", 0.1), ("Diệp", 0.1), ("Mạc", 0.1),
]  # fmt: skip

# Middle names: (name, weight for people born before 1990, weight for people born from 1990)
MIDDLE_MALE: list[tuple[str, int, int]] = [
    ("Văn", 40, 8), ("Minh", 10, 14), ("Hoàng", 5, 8), ("Quốc", 6, 8), ("Thanh", 6, 5), ("Đức", 6, 6),
    ("Hữu", 6, 4), ("Công", 4, 3), ("Tuấn", 3, 4), ("Gia", 1, 8), ("Bảo", 1, 6), ("Nhật", 1, 6),
    ("Anh", 2, 5), ("Thành", 3, 3), ("Duy", 2, 5), ("Trung", 2, 3), ("Đăng", 1, 4), ("Khánh", 1, 3),
    ("Phúc", 1, 3), ("Hải", 2, 2), ("Tấn", 4, 3), ("Ngọc", 3, 1),
]  # fmt: skip
MIDDLE_FEMALE: list[tuple[str, int, int]] = [
    ("Thị", 55, 14), ("Ngọc", 8, 12), ("Thanh", 5, 6), ("Thu", 5, 5), ("Minh", 2, 7), ("Bảo", 1, 7),
    ("Phương", 2, 6), ("Hoàng", 1, 4), ("Kim", 4, 3), ("Mỹ", 3, 3), ("Thùy", 2, 4), ("Khánh", 1, 5),
    ("Hồng", 3, 2), ("Gia", 1, 4), ("Quỳnh", 1, 3), ("Tường", 1, 2), ("Ánh", 1, 2), ("Diệu", 1, 2),
    ("Hải", 1, 2), ("Uyên", 0, 2),
]  # fmt: skip
# A second middle word for some women ("Nguyễn Thị Thu Hà", "Trần Ngọc Bảo Trân").
SECOND_MIDDLE_FEMALE = ["Thu", "Ngọc", "Bảo", "Mỹ", "Thanh", "Kim", "Hồng", "Phương", "Minh", "Diễm"]
SECOND_MIDDLE_MALE = ["Minh", "Gia", "Quốc", "Hoàng", "Thanh", "Đức", "Nhật"]

GIVEN_MALE: list[tuple[str, int]] = [
    ("An", 4), ("Anh", 8), ("Bảo", 5), ("Bình", 4), ("Cường", 3), ("Danh", 2), ("Dũng", 5), ("Duy", 5),
    ("Đạt", 6), ("Đức", 5), ("Hải", 5), ("Hào", 2), ("Hiếu", 6), ("Hoàng", 4), ("Huy", 8), ("Hùng", 5),
    ("Khang", 5), ("Khánh", 4), ("Khoa", 6), ("Khôi", 4), ("Kiên", 3), ("Lâm", 3), ("Lộc", 4), ("Long", 6),
    ("Luân", 2), ("Minh", 8), ("Nam", 7), ("Nghĩa", 4), ("Nhân", 5), ("Phát", 5), ("Phong", 5),
    ("Phúc", 6), ("Quân", 5), ("Quang", 5), ("Sơn", 5), ("Tài", 4), ("Tâm", 4), ("Thái", 3), ("Thắng", 4),
    ("Thành", 6), ("Thiện", 3), ("Thịnh", 4), ("Tiến", 4), ("Toàn", 4), ("Trí", 5), ("Trung", 5),
    ("Tuấn", 8), ("Tùng", 4), ("Việt", 4), ("Vinh", 4), ("Vũ", 4), ("Hưng", 4), ("Lợi", 2), ("Nhựt", 2),
]  # fmt: skip
GIVEN_FEMALE: list[tuple[str, int]] = [
    ("An", 4), ("Anh", 9), ("Châu", 4), ("Chi", 4), ("Diễm", 3), ("Dung", 4), ("Duyên", 4), ("Giang", 4),
    ("Hà", 5), ("Hân", 5), ("Hằng", 5), ("Hạnh", 5), ("Hiền", 5), ("Hoa", 4), ("Hương", 6), ("Huyền", 5),
    ("Khánh", 3), ("Lan", 5), ("Linh", 9), ("Loan", 3), ("Mai", 6), ("My", 7), ("Nga", 4), ("Ngân", 6),
    ("Ngọc", 6), ("Nhi", 8), ("Nhung", 4), ("Oanh", 3), ("Phương", 6), ("Quyên", 3), ("Quỳnh", 5),
    ("Tâm", 4), ("Thảo", 8), ("Thư", 7), ("Thủy", 5), ("Tiên", 5), ("Trâm", 5), ("Trang", 8), ("Trinh", 4),
    ("Tuyết", 3), ("Uyên", 6), ("Vân", 5), ("Vy", 9), ("Xuân", 3), ("Yến", 5), ("Hậu", 3), ("Thắm", 2),
]  # fmt: skip


def _table(pairs):
    names = [p[0] for p in pairs]
    cum = list(accumulate(p[1] for p in pairs))
    return names, cum


_FAMILY = _table(FAMILY_NAMES)
_MID_M_OLD = _table([(n, a) for n, a, _ in MIDDLE_MALE])
_MID_M_NEW = _table([(n, b) for n, _, b in MIDDLE_MALE])
_MID_F_OLD = _table([(n, a) for n, a, _ in MIDDLE_FEMALE])
_MID_F_NEW = _table([(n, b) for n, _, b in MIDDLE_FEMALE])
_GIVEN_M = _table(GIVEN_MALE)
_GIVEN_F = _table(GIVEN_FEMALE)


def _pick(rng: random.Random, table) -> str:
    names, cum = table
    return rng.choices(names, cum_weights=cum)[0]


@dataclass(frozen=True)
class Name:
    family: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)


def make_name(rng: random.Random, gender: str, birth_year: int) -> Name:
    """A plausible name for a person of this gender ("M"/"F") born in this year."""
    family = _pick(rng, _FAMILY)
    old = birth_year < 1990
    if gender == "M":
        middle = _pick(rng, _MID_M_OLD if old else _MID_M_NEW)
        given = _pick(rng, _GIVEN_M)
        if not old and rng.random() < 0.06:
            second = rng.choice(SECOND_MIDDLE_MALE)
            if second not in (middle, given):
                middle = f"{middle} {second}"
    else:
        middle = _pick(rng, _MID_F_OLD if old else _MID_F_NEW)
        given = _pick(rng, _GIVEN_F)
        if rng.random() < (0.12 if old else 0.2):
            second = rng.choice(SECOND_MIDDLE_FEMALE)
            if second not in (middle, given):
                middle = f"{middle} {second}"
    if middle.split()[-1] == given:
        middle = "Văn" if gender == "M" else "Thị"
    return Name(family, middle, given)
