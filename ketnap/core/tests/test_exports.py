"""Excel exports: a cell that looks like a formula stays text (no formula injection)."""

import io

import openpyxl

from ketnap.core.exports import write_xlsx


def test_exported_cells_never_become_formulas():
    data = write_xlsx(["Tên"], [['=HYPERLINK("http://x","y")'], ["+1+1"], ["@SUM(A1)"], ["-2+3"]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for cell in sheet["A"][1:]:
        assert cell.data_type == "s", cell.value  # a string, not a formula ("f")
