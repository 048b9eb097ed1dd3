"""How the papers write dates, percentages, numbers and the names of organisations."""

import datetime

from ketnap.papers import words

D = datetime.date


def test_dates_are_written_as_party_documents_write_them():
    assert words.day_words(D(2026, 5, 5)) == "ngày 05 tháng 5 năm 2026"
    assert words.day_words(D(2026, 1, 15)) == "ngày 15 tháng 01 năm 2026"  # months 1 and 2 take a zero
    assert words.day_words(D(2026, 2, 28)) == "ngày 28 tháng 02 năm 2026"
    assert words.day_words(D(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"
    assert words.day_words(None) == "ngày … tháng … năm ……"  # unknown: written by hand


def test_percentages_use_the_decimal_comma():
    assert words.percent(9, 13) == "69,23%"
    assert words.percent(4, 5) == "80%"
    assert words.percent(2, 3) == "66,67%"
    assert words.percent(None, 13) == f"{words.DOTS}%" and words.percent(3, 0) == f"{words.DOTS}%"


def test_numbers_and_the_bodies_that_issue_them():
    assert words.number_text(5, "NQ", words.body_symbol("cell")) == "05-NQ/CB"
    assert words.number_text(123, "QĐ", words.body_symbol("grassroots")) == "123-QĐ/ĐU"
    assert words.body_symbol("ward") == "ĐU" and words.body_symbol("city") == "TU"
    assert words.blank_number("NQ", "CB") == "……-NQ/CB"


def test_organisations_and_places_are_named_as_headings_name_them():
    assert (
        words.organisation_of("Đảng ủy Trường Đại học Khoa học Tự nhiên")
        == "Đảng bộ Trường Đại học Khoa học Tự nhiên"
    )
    assert words.organisation_of("Thành ủy Thành phố Hồ Chí Minh") == "Đảng bộ Thành phố Hồ Chí Minh"
    assert words.organisation_of("Chi bộ Khoa Toán") == "Chi bộ Khoa Toán"
    assert words.place_of("Đảng ủy phường Sài Gòn") == "phường Sài Gòn"
    assert (
        words.upper("Chi bộ Sinh viên Khoa Công nghệ thông tin")
        == "CHI BỘ SINH VIÊN KHOA CÔNG NGHỆ THÔNG TIN"
    )
    assert words.dots("") == words.DOTS and words.dots(0) == "0"
