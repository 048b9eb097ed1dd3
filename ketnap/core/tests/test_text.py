import pytest

from ketnap.core.text import fold, sort_key, split_full_name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẶNG  Thị   Ánh", "dang thi anh"),
        ("Trường THPT Lê Quý Đôn", "truong thpt le quy don"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_strips_accents_and_d(raw, folded):
    assert fold(raw) == folded


def test_sort_key_orders_by_given_then_middle_then_family():
    names = [("Trần", "Văn", "Bình"), ("Nguyễn", "Thị", "An"), ("Lê", "Văn", "An")]
    ordered = sorted(names, key=lambda n: sort_key(*n))
    assert ordered == [("Nguyễn", "Thị", "An"), ("Lê", "Văn", "An"), ("Trần", "Văn", "Bình")]


def test_sort_key_follows_vietnamese_alphabet():
    given = ["Đức", "Dũng", "Ân", "Ăn", "An", "Ê", "Bảo"]
    ordered = sorted(given, key=lambda g: sort_key("", "", g))
    assert ordered == ["An", "Ăn", "Ân", "Bảo", "Dũng", "Đức", "Ê"]


def test_tones_break_ties_in_dictionary_order():
    given = ["Má", "Mạ", "Ma", "Mả", "Mà", "Mã"]
    ordered = sorted(given, key=lambda g: sort_key("", "", g))
    assert ordered == ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]


def test_split_full_name():
    assert split_full_name(" Nguyễn Thị Minh  Khai ") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_full_name("Lê Lai") == ("Lê", "", "Lai")
