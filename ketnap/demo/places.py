"""Places of the demo city: old districts, the commune-level units of 1/7/2025, universities and schools.

The names are real Ho Chi Minh City names (wards after the 2025 reorganisation, well-known universities and
high schools); everything attached to them (cells, people, numbers) is invented.
"""

from dataclasses import dataclass

# Old district-level committees, abolished on 1/7/2025: (code, committee name, founded).
OLD_DISTRICTS: dict[str, tuple[str, str]] = {
    "Q1": ("Quận ủy Quận 1", "1976-05-20"),
    "Q3": ("Quận ủy Quận 3", "1976-05-20"),
    "Q4": ("Quận ủy Quận 4", "1976-05-20"),
    "Q5": ("Quận ủy Quận 5", "1976-05-20"),
    "Q6": ("Quận ủy Quận 6", "1976-05-20"),
    "Q7": ("Quận ủy Quận 7", "1997-04-01"),
    "Q8": ("Quận ủy Quận 8", "1976-05-20"),
    "Q10": ("Quận ủy Quận 10", "1976-05-20"),
    "Q11": ("Quận ủy Quận 11", "1976-05-20"),
    "Q12": ("Quận ủy Quận 12", "1997-04-01"),
    "BTH": ("Quận ủy Quận Bình Thạnh", "1976-05-20"),
    "GV": ("Quận ủy Quận Gò Vấp", "1976-05-20"),
    "PN": ("Quận ủy Quận Phú Nhuận", "1976-05-20"),
    "TB": ("Quận ủy Quận Tân Bình", "1976-05-20"),
    "TP": ("Quận ủy Quận Tân Phú", "2003-12-05"),
    "BTA": ("Quận ủy Quận Bình Tân", "2003-12-05"),
    "TD": ("Thành ủy thành phố Thủ Đức", "2021-01-01"),
    "BC": ("Huyện ủy Bình Chánh", "1976-05-20"),
    "CC": ("Huyện ủy Củ Chi", "1976-05-20"),
    "HM": ("Huyện ủy Hóc Môn", "1976-05-20"),
    "NB": ("Huyện ủy Nhà Bè", "1976-05-20"),
    "CG": ("Huyện ủy Cần Giờ", "1976-05-20"),
}

# Commune-level units since 1/7/2025: (type, name, old district or "" when it came from another province).
WARDS: list[tuple[str, str, str]] = [
    ("phường", "Sài Gòn", "Q1"), ("phường", "Bến Thành", "Q1"), ("phường", "Tân Định", "Q1"),
    ("phường", "Cầu Ông Lãnh", "Q1"), ("phường", "Xuân Hòa", "Q3"), ("phường", "Bàn Cờ", "Q3"),
    ("phường", "Nhiêu Lộc", "Q3"), ("phường", "Khánh Hội", "Q4"), ("phường", "Vĩnh Hội", "Q4"),
    ("phường", "Chợ Quán", "Q5"), ("phường", "An Đông", "Q5"), ("phường", "Chợ Lớn", "Q5"),
    ("phường", "Bình Tây", "Q6"), ("phường", "Phú Lâm", "Q6"), ("phường", "Tân Mỹ", "Q7"),
    ("phường", "Tân Hưng", "Q7"), ("phường", "Chánh Hưng", "Q8"), ("phường", "Diên Hồng", "Q10"),
    ("phường", "Hòa Hưng", "Q10"), ("phường", "Phú Thọ", "Q11"), ("phường", "Đông Hưng Thuận", "Q12"),
    ("phường", "Trung Mỹ Tây", "Q12"), ("phường", "Bình Thạnh", "BTH"), ("phường", "Gia Định", "BTH"),
    ("phường", "Thạnh Mỹ Tây", "BTH"), ("phường", "Hạnh Thông", "GV"), ("phường", "Gò Vấp", "GV"),
    ("phường", "Phú Nhuận", "PN"), ("phường", "Đức Nhuận", "PN"), ("phường", "Tân Sơn Nhất", "TB"),
    ("phường", "Tân Bình", "TB"), ("phường", "Bảy Hiền", "TB"), ("phường", "Tân Phú", "TP"),
    ("phường", "Tây Thạnh", "TP"), ("phường", "Bình Tân", "BTA"), ("phường", "An Lạc", "BTA"),
    ("phường", "Thủ Đức", "TD"), ("phường", "Linh Xuân", "TD"), ("phường", "Hiệp Bình", "TD"),
    ("phường", "Tăng Nhơn Phú", "TD"), ("phường", "Long Bình", "TD"), ("phường", "Cát Lái", "TD"),
    ("phường", "An Khánh", "TD"), ("phường", "Bình Trưng", "TD"), ("xã", "Bình Chánh", "BC"),
    ("xã", "Củ Chi", "CC"), ("xã", "Hóc Môn", "HM"), ("xã", "Nhà Bè", "NB"), ("xã", "Cần Giờ", "CG"),
    ("đặc khu", "Côn Đảo", ""),
]  # fmt: skip

# The two wards of the small city.
SMALL_WARDS = ("Bến Thành", "Sài Gòn")

UPPER_COMMITTEES: dict[str, tuple[str, str]] = {
    "DHQG": ("Đảng ủy Đại học Quốc gia TP.HCM", "2001-02-01"),
    "KDH": ("Đảng ủy Khối các trường Đại học, Cao đẳng TP.HCM", "1999-09-01"),
    "UBND": ("Đảng ủy Ủy ban nhân dân Thành phố", "2025-02-01"),
}


@dataclass(frozen=True)
class Institution:
    """A university, college or professional secondary school and its party organisation."""

    code: str
    name: str
    level: str  # School.Level
    upper: str  # key of UPPER_COMMITTEES
    ward: str  # ward name
    # cells: (cell kind, code suffix, name); cell kind "student", "staff" or "merged"
    cells: tuple[tuple[str, str, str], ...] = ()
    full_time_staff: bool = True
    grassroots_cell: bool = False  # a small school whose party organisation is one grassroots cell
    new_student_cell: str = ""  # suffix of a student cell founded less than 12 months ago
    size: float = 1.0  # relative size of the student population


S, T, M = "student", "staff", "merged"

INSTITUTIONS: list[Institution] = [
    Institution("KHTN", "Trường Đại học Khoa học Tự nhiên", "university", "DHQG", "Chợ Quán", (
        (S, "SV-CNTT", "Chi bộ Sinh viên Khoa Công nghệ thông tin"),
        (S, "SV-SH", "Chi bộ Sinh viên Khoa Sinh học - Công nghệ Sinh học"),
        (S, "SV-HH", "Chi bộ Sinh viên Khoa Hóa học"),
        (T, "TOAN", "Chi bộ Khoa Toán - Tin học"),
        (T, "VL", "Chi bộ Khoa Vật lý - Vật lý Kỹ thuật"),
        (T, "PDT", "Chi bộ Phòng Đào tạo"),
        (M, "MT", "Chi bộ Khoa Môi trường (sinh hoạt ghép)"),
    ), new_student_cell="SV-HH", size=1.3),
    Institution("BK", "Trường Đại học Bách khoa", "university", "DHQG", "Diên Hồng", (
        (S, "SV-MT", "Chi bộ Sinh viên Khoa Khoa học và Kỹ thuật Máy tính"),
        (S, "SV-CK", "Chi bộ Sinh viên Khoa Cơ khí"),
        (S, "SV-DDT", "Chi bộ Sinh viên Khoa Điện - Điện tử"),
        (T, "XD", "Chi bộ Khoa Kỹ thuật Xây dựng"),
        (T, "HOA", "Chi bộ Khoa Kỹ thuật Hóa học"),
        (T, "QLCN", "Chi bộ Khoa Quản lý Công nghiệp"),
        (M, "GT", "Chi bộ Khoa Kỹ thuật Giao thông (sinh hoạt ghép)"),
    ), size=1.4),
    Institution("KHXHNV", "Trường Đại học Khoa học Xã hội và Nhân văn", "university", "DHQG", "Sài Gòn", (
        (S, "SV-VH", "Chi bộ Sinh viên Khoa Văn học"),
        (S, "SV-QHQT", "Chi bộ Sinh viên Khoa Quan hệ Quốc tế"),
        (T, "LS", "Chi bộ Khoa Lịch sử"),
        (T, "TRIET", "Chi bộ Khoa Triết học"),
        (M, "BCTT", "Chi bộ Khoa Báo chí và Truyền thông (sinh hoạt ghép)"),
    ), size=1.1),
    Institution("UIT", "Trường Đại học Công nghệ Thông tin", "university", "DHQG", "Linh Xuân", (
        (S, "SV", "Chi bộ Sinh viên"),
        (T, "KHMT", "Chi bộ Khoa Khoa học Máy tính"),
        (M, "HTTT", "Chi bộ Khoa Hệ thống Thông tin (sinh hoạt ghép)"),
    ), size=0.8),
    Institution("QT", "Trường Đại học Quốc tế", "university", "DHQG", "Linh Xuân", (
        (T, "QTKD", "Chi bộ Khoa Quản trị Kinh doanh"),
        (M, "CNSH", "Chi bộ Khoa Công nghệ Sinh học (sinh hoạt ghép)"),
        (S, "SV", "Chi bộ Sinh viên"),
    ), full_time_staff=False, new_student_cell="SV", size=0.6),
    Institution("UEL", "Trường Đại học Kinh tế - Luật", "university", "DHQG", "Linh Xuân", (
        (S, "SV", "Chi bộ Sinh viên"),
        (T, "LKT", "Chi bộ Khoa Luật Kinh tế"),
        (T, "KTDN", "Chi bộ Khoa Kinh tế đối ngoại"),
    ), size=0.8),
    Institution("UEH", "Trường Đại học Kinh tế TP.HCM", "university", "KDH", "Xuân Hòa", (
        (S, "SV-KT", "Chi bộ Sinh viên Khoa Kinh tế"),
        (S, "SV-QT", "Chi bộ Sinh viên Khoa Quản trị"),
        (T, "TC", "Chi bộ Khoa Tài chính"),
        (T, "KTKT", "Chi bộ Khoa Kế toán"),
        (M, "MKT", "Chi bộ Khoa Marketing (sinh hoạt ghép)"),
    ), size=1.4),
    Institution("HCMUE", "Trường Đại học Sư phạm TP.HCM", "university", "KDH", "Chợ Quán", (
        (S, "SV-TOAN", "Chi bộ Sinh viên Khoa Toán - Tin học"),
        (S, "SV-NV", "Chi bộ Sinh viên Khoa Ngữ văn"),
        (T, "GDCT", "Chi bộ Khoa Giáo dục Chính trị"),
        (T, "LS", "Chi bộ Khoa Lịch sử"),
        (M, "GDTH", "Chi bộ Khoa Giáo dục Tiểu học (sinh hoạt ghép)"),
    ), size=1.1),
    Institution("UMP", "Trường Đại học Y Dược TP.HCM", "university", "KDH", "An Đông", (
        (S, "SV-Y", "Chi bộ Sinh viên Khoa Y"),
        (T, "DUOC", "Chi bộ Khoa Dược"),
        (T, "RHM", "Chi bộ Khoa Răng Hàm Mặt"),
        (M, "DD", "Chi bộ Khoa Điều dưỡng - Kỹ thuật Y học (sinh hoạt ghép)"),
    ), size=1.0),
    Institution("IUH", "Trường Đại học Công nghiệp TP.HCM", "university", "KDH", "Hạnh Thông", (
        (S, "SV-CNTT", "Chi bộ Sinh viên Khoa Công nghệ Thông tin"),
        (S, "SV-CK", "Chi bộ Sinh viên Khoa Công nghệ Cơ khí"),
        (T, "DIEN", "Chi bộ Khoa Công nghệ Điện"),
        (T, "HOA", "Chi bộ Khoa Công nghệ Hóa học"),
    ), full_time_staff=False, size=1.3),
    Institution("HCMUTE", "Trường Đại học Sư phạm Kỹ thuật TP.HCM", "university", "KDH", "Thủ Đức", (
        (S, "SV", "Chi bộ Sinh viên"),
        (T, "CKM", "Chi bộ Khoa Cơ khí Chế tạo máy"),
        (M, "DDT", "Chi bộ Khoa Điện - Điện tử (sinh hoạt ghép)"),
    ), size=1.0),
    Institution("ULAW", "Trường Đại học Luật TP.HCM", "university", "KDH", "Khánh Hội", (
        (T, "LDS", "Chi bộ Khoa Luật Dân sự"),
        (T, "LHS", "Chi bộ Khoa Luật Hình sự"),
        (M, "LTM", "Chi bộ Khoa Luật Thương mại (sinh hoạt ghép)"),
    ), size=0.8),
    Institution("HUB", "Trường Đại học Ngân hàng TP.HCM", "university", "KDH", "Sài Gòn", (
        (T, "NH", "Chi bộ Khoa Ngân hàng"),
        (M, "TC", "Chi bộ Khoa Tài chính (sinh hoạt ghép)"),
    ), full_time_staff=False, size=0.7),
    Institution("SGU", "Trường Đại học Sài Gòn", "university", "UBND", "Chợ Quán", (
        (S, "SV", "Chi bộ Sinh viên"),
        (T, "SP", "Chi bộ Khoa Sư phạm Khoa học Tự nhiên"),
        (M, "QTKD", "Chi bộ Khoa Quản trị Kinh doanh (sinh hoạt ghép)"),
    ), size=1.0),
    Institution("PNT", "Trường Đại học Y khoa Phạm Ngọc Thạch", "university", "UBND", "Hòa Hưng", (
        (S, "SV", "Chi bộ Sinh viên"),
        (T, "YHCS", "Chi bộ Khoa Y học Cơ sở"),
    ), size=0.6),
    Institution("CAOTHANG", "Trường Cao đẳng Kỹ thuật Cao Thắng", "college", "UBND", "Bến Thành", (
        (S, "HSSV", "Chi bộ Học sinh - Sinh viên"),
        (T, "CK", "Chi bộ Khoa Cơ khí"),
        (M, "DDT", "Chi bộ Khoa Điện - Điện tử (sinh hoạt ghép)"),
    ), size=0.6),
    Institution("LTT", "Trường Cao đẳng Lý Tự Trọng TP.HCM", "college", "UBND", "Tân Sơn Nhất", (
        (T, "CN", "Chi bộ Khoa Công nghệ"),
        (M, "KT", "Chi bộ Khoa Kinh tế (sinh hoạt ghép)"),
    ), full_time_staff=False, size=0.5),
    Institution("CDKT", "Trường Cao đẳng Kinh tế TP.HCM", "college", "UBND", "Hòa Hưng", (
        (M, "KT", "Chi bộ Khoa Kế toán - Tài chính (sinh hoạt ghép)"),
        (T, "QT", "Chi bộ Khoa Quản trị"),
    ), full_time_staff=False, size=0.4),
    Institution("NSG", "Trường Trung cấp Kỹ thuật và Nghiệp vụ Nam Sài Gòn", "professional_secondary", "UBND",
                "Chánh Hưng", grassroots_cell=True, full_time_staff=False, size=0.3),  # fmt: skip
    Institution("VQCN", "Trường Trung cấp Kinh tế - Kỹ thuật Nguyễn Hữu Cảnh", "professional_secondary",
                "UBND", "Tân Hưng", grassroots_cell=True, full_time_staff=False, size=0.3),  # fmt: skip
]  # fmt: skip

SMALL_INSTITUTIONS = ("KHTN",)

# Well-known K-12 schools placed in their (post-2025) wards: (level, name after "Trường … ", ward).
FAMOUS_SCHOOLS: list[tuple[str, str, str]] = [
    ("upper_secondary", "THPT Trưng Vương", "Bến Thành"),
    ("upper_secondary", "THPT Bùi Thị Xuân", "Bến Thành"),
    ("primary", "Tiểu học Lê Ngọc Hân", "Bến Thành"),
    ("lower_secondary", "THCS Minh Đức", "Sài Gòn"),
    ("upper_secondary", "THPT Lê Quý Đôn", "Xuân Hòa"),
    ("upper_secondary", "THPT Nguyễn Thị Minh Khai", "Xuân Hòa"),
    ("upper_secondary", "THPT Marie Curie", "Bàn Cờ"),
    ("upper_secondary", "THPT chuyên Lê Hồng Phong", "Chợ Quán"),
    ("upper_secondary", "THPT Hùng Vương", "Chợ Lớn"),
    ("upper_secondary", "THPT Mạc Đĩnh Chi", "Bình Tây"),
    ("upper_secondary", "THPT Gia Định", "Gia Định"),
    ("upper_secondary", "THPT Phú Nhuận", "Phú Nhuận"),
    ("upper_secondary", "THPT Nguyễn Thượng Hiền", "Tân Bình"),
    ("upper_secondary", "THPT Trần Phú", "Tân Phú"),
    ("upper_secondary", "THPT Nguyễn Hữu Huân", "Thủ Đức"),
    ("upper_secondary", "THPT Thủ Thiêm", "An Khánh"),
    ("upper_secondary", "THPT Nguyễn Hữu Cầu", "Hóc Môn"),
    ("upper_secondary", "THPT Củ Chi", "Củ Chi"),
    ("upper_secondary", "THPT Bình Chánh", "Bình Chánh"),
    ("upper_secondary", "THPT Long Thới", "Nhà Bè"),
    ("upper_secondary", "THPT Cần Thạnh", "Cần Giờ"),
    ("upper_secondary", "THPT Võ Thị Sáu", "Côn Đảo"),
    ("lower_secondary", "THCS Văn Lang", "Tân Định"),
    ("lower_secondary", "THCS Colette", "Nhiêu Lộc"),
    ("lower_secondary", "THCS Trần Văn Ơn", "Tân Định"),
    ("multi_level", "TH, THCS và THPT Thanh Bình", "Tân Bình"),
]  # fmt: skip

# Historical figures, places and dates that Vietnamese schools are named after.
FIGURES = [
    "Lê Quý Đôn", "Nguyễn Du", "Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Trãi", "Ngô Quyền", "Hai Bà Trưng",
    "Lê Lợi", "Quang Trung", "Nguyễn Huệ", "Võ Thị Sáu", "Nguyễn Văn Trỗi", "Lê Văn Tám", "Kim Đồng",
    "Võ Trường Toản", "Chu Văn An", "Nguyễn Bỉnh Khiêm", "Trần Quốc Toản", "Phan Bội Châu", "Phan Chu Trinh",
    "Huỳnh Thúc Kháng", "Lương Thế Vinh", "Trần Đại Nghĩa", "Nguyễn Đình Chiểu", "Trương Định",
    "Nguyễn Hữu Cảnh", "Đinh Tiên Hoàng", "Hồ Xuân Hương", "Đoàn Thị Điểm", "Nguyễn Khuyến", "Tô Hiến Thành",
    "Nguyễn An Ninh", "Cách Mạng Tháng Tám", "Điện Biên", "Bạch Đằng", "Chương Dương", "Hàm Nghi",
    "Phan Đăng Lưu", "Lê Anh Xuân", "Nguyễn Văn Cừ", "Nguyễn Thái Bình", "Lạc Long Quân", "Âu Cơ",
    "Nguyễn Trung Trực", "Trần Quang Khải", "Nguyễn Thị Định", "Trần Nhân Tông", "Lê Thánh Tông",
    "Nguyễn Gia Thiều", "Lý Tự Trọng", "Trần Văn Giàu", "Ngô Thời Nhiệm", "Phạm Ngũ Lão", "Yết Kiêu",
    "Trần Khánh Dư", "Nguyễn Tri Phương", "Đống Đa", "Kỳ Đồng", "Nguyễn Hiền", "Trần Cao Vân",
    "Hoàng Hoa Thám", "Lam Sơn", "Nguyễn Thị Thập", "Huỳnh Văn Bánh", "Phan Văn Trị", "Trương Vĩnh Ký",
    "Lê Quang Định", "Nguyễn Công Trứ", "Nguyễn Đức Cảnh", "Hà Huy Tập", "Đinh Bộ Lĩnh", "Lê Lai",
    "Trần Quốc Tuấn", "Nguyễn Văn Tố", "Mạc Đĩnh Chi", "Tô Vĩnh Diện", "Phan Đình Phùng", "Nguyễn Thiện Thuật",
    "Bế Văn Đàn", "Phan Huy Ích", "Lê Văn Sỹ", "Nguyễn Chí Thanh", "Hồng Hà", "Trần Văn Đang",
    "Nguyễn Thượng Hiền", "Lê Đình Chinh", "Nguyễn Văn Bé", "Võ Văn Tần", "Trần Hữu Trang", "Bàn Cờ",
    "Phú Thọ", "Hòa Bình", "Thống Nhất", "Độc Lập", "Ngô Sĩ Liên", "Phạm Văn Chiêu", "Đặng Trần Côn",
    "Lương Định Của", "Cao Bá Quát", "Tôn Thất Tùng", "Nguyễn Văn Linh", "Trần Quang Diệu", "Bùi Hữu Nghĩa",
]  # fmt: skip
KINDERGARTEN_NAMES = [
    "Hoa Sen", "Sơn Ca", "Họa Mi", "Vành Khuyên", "Tuổi Thơ", "Hoa Hồng", "Hoa Mai", "Rạng Đông", "Măng Non",
    "Hướng Dương", "Hoa Lan", "Thỏ Ngọc", "Ánh Dương", "Sao Mai", "Bình Minh", "Hoa Cúc", "Tuổi Ngọc",
    "Ngôi Sao", "Hoàng Yến", "Hoa Phượng", "Sen Hồng", "Bông Sen", "Búp Sen Xanh", "Hoa Thiên Lý",
    "Chim Non", "Hoa Trà My", "Thiên Thanh", "Ban Mai", "Hoa Quỳnh", "Vàng Anh",
]  # fmt: skip

LEVEL_PREFIX = {
    "kindergarten": "Mầm non",
    "primary": "Tiểu học",
    "lower_secondary": "THCS",
    "upper_secondary": "THPT",
}
# Teachers' departments (tổ chuyên môn) by level.
DEPARTMENTS = {
    "kindergarten": ["Tổ Nhà trẻ", "Tổ Mẫu giáo lớn", "Tổ Mẫu giáo nhỡ", "Tổ Văn phòng"],
    "primary": ["Tổ khối 1", "Tổ khối 2", "Tổ khối 3", "Tổ khối 4", "Tổ khối 5", "Tổ Văn phòng"],
    "lower_secondary": ["Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Tiếng Anh", "Tổ Khoa học tự nhiên",
                        "Tổ Lịch sử - Địa lý", "Tổ Văn phòng"],
    "upper_secondary": ["Tổ Toán", "Tổ Ngữ văn", "Tổ Tiếng Anh", "Tổ Vật lý", "Tổ Hóa học", "Tổ Sinh học",
                        "Tổ Lịch sử", "Tổ Giáo dục kinh tế và pháp luật", "Tổ Văn phòng"],
    "multi_level": ["Tổ Toán", "Tổ Ngữ văn", "Tổ Tiếng Anh", "Tổ Tin học", "Tổ Văn phòng"],
}  # fmt: skip
CLASS_LETTERS = {"upper_secondary": "12A", "multi_level": "12CT"}
