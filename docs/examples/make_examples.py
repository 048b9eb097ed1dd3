"""Writes the example files of docs/import.md: `.venv/bin/python docs/examples/make_examples.py` (from the repository root)."""
import datetime, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnap.settings")
import django; django.setup()
import xlsxwriter
from ketnap.exchange import columns as C

D = datetime.date
def write(path, sheets):
    book = xlsxwriter.Workbook(path)
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = book.add_format({"num_format": "@"})
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if i == 0:
                    ws.write_string(i, j, v, head); ws.set_column(j, j, max(12, min(30, len(v) + 2)))
                elif isinstance(v, datetime.date):
                    ws.write_datetime(i, j, datetime.datetime.combine(v, datetime.time()), date)
                elif v not in ("", None):
                    ws.write_string(i, j, str(v), text)
        ws.freeze_panes(1, 0)
    book.close()

P = ["STT", "Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Số CCCD", "Vai trò trong trường", "Khoa, lớp",
     "Trình độ học vấn", "Đoàn viên", "Đoàn viên ưu tú", "Dự kiến tốt nghiệp",
     "Ngày vào nguồn", "Ngày học lớp nhận thức về Đảng", "Ngày làm đơn xin vào Đảng", "Ngày lý lịch",
     "Ngày nghị quyết giới thiệu của Đoàn", "Ngày giấy giới thiệu của đảng viên", "Đảng viên giới thiệu",
     "Ngày đảng viên giới thiệu được công nhận chính thức", "Ngày bắt đầu cùng công tác, học tập",
     "Tuổi đảng tính từ", "Ngày lễ kết nạp", "Ngày chính thức", "Nơi kết nạp"]
def row(n, family, middle, given, birth, gender, cid, role, klass, edu, union, excellent, grad, *rest):
    return [n, family, middle, given, birth, gender, cid, role, klass, edu, union, excellent, grad, *rest] + [""] * (len(P) - 13 - len(rest))
persons = [P,
    row(1, "Nguyễn", "Thị Minh", "Khai", D(2005, 3, 15), "Nữ", "079305001234", "Sinh viên", "Lớp 23CTT1", "Trung học phổ thông", "Có", "Có", D(2027, 6, 30), D(2025, 9, 5)),
    row(2, "Trần", "Quốc", "Toản", D(2004, 8, 2), "Nam", "079204002345", "Sinh viên", "Lớp 22CTT2", "Trung học phổ thông", "Có", "Có", D(2026, 6, 30),
        D(2025, 9, 5), D(2025, 10, 20), D(2026, 1, 12), D(2026, 1, 20), D(2026, 2, 3), D(2026, 2, 5), "Lê Văn Tám", D(2015, 5, 19), D(2023, 9, 5)),
    row(3, "Lê", "Thị", "Riêng", D(1980, 5, 1), "Nữ", "079180003456", "Giảng viên", "Khoa Toán - Tin học", "Sau đại học", "Không", "Không", "",
        "", "", "", "", "", "", "", "", "", D(2008, 5, 19), D(2008, 6, 2), D(2009, 6, 2), "Chi bộ Khoa Toán - Tin học"),
    row(4, "Phạm", "Văn", "Đồng", D(2003, 11, 9), "Nam", "", "Sinh viên", "Lớp 21CTT3", "Trung học phổ thông", "Có", "Không", D(2026, 6, 30),
        "", "", "", "", "", "", "", "", "", D(2026, 3, 10), D(2026, 3, 26), "", "Chi bộ Sinh viên Trường Cao đẳng Kỹ thuật Cao Thắng"),
]
write("docs/examples/nguoi.xlsx", [("Danh sách", persons)])
import csv
with open("docs/examples/nguoi.csv", "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    for r in persons[:3]:
        w.writerow([(v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else str(v)) for v in r[:13]])
units = [[c.header for c in C.UNIT_COLUMNS],
         ["KHTN-SV-VL", "Chi bộ Sinh viên Khoa Vật lý - Vật lý kỹ thuật", "Chi bộ trực thuộc", "Chi bộ sinh viên, học sinh", "KHTN", D(2026, 9, 1), "Có"],
         ["THCS-NGUYENDU", "Chi bộ Trường THCS Nguyễn Du", "Chi bộ cơ sở", "Chi bộ cán bộ, giảng viên, giáo viên", "P-SAIGON", D(2026, 9, 1), "Có"]]
schools = [[c.header for c in C.SCHOOL_COLUMNS],
           ["S-THCS-NGUYENDU", "Trường THCS Nguyễn Du", "Trung học cơ sở", "Có", "P-SAIGON", "THCS-NGUYENDU", "Không"],
           ["S-MN-HOAMAI", "Trường Mầm non Hoa Mai", "Mầm non", "Không", "P-SAIGON", "", "Không"]]
write("docs/examples/cay-to-chuc.xlsx", [("Tổ chức", units), ("Trường học", schools)])
