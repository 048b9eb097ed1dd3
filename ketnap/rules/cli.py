"""``ketnap check-dossier FILE|-``: check one dossier described as JSON (spec/check-dossier.md).

Exit status 0: no finding of severity ``error``; 1: at least one; 2: the input is not a valid dossier (the
reason goes to standard error in Vietnamese and English, nothing to standard output). The caller (the
``ketnap`` console script) passes the streams and today's date in Asia/Ho_Chi_Minh: nothing here reads the
clock.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TextIO

from .book import DEFAULT_PARAMS, Params
from .check import check
from .jsonio import DossierError, check_depth, parse

__all__ = ["main"]

USAGE = "usage: ketnap check-dossier FILE   (FILE = - for standard input)\n"
HELP = (
    "Kiểm tra một hồ sơ kết nạp đảng viên mô tả bằng JSON / Check one admission dossier described as JSON.\n"
    + USAGE
    + "Exit: 0 không có lỗi / no error; 1 có lỗi / at least one error; 2 đầu vào không hợp lệ / invalid input.\n"
)


def _fail(stderr: TextIO, path: str, vi: str, en: str) -> int:
    stderr.write(f"Lỗi: hồ sơ không hợp lệ — {path}: {vi}.\nError: invalid dossier — {path}: {en}.\n")
    return 2


def main(
    argv: Sequence[str],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    today: dt.date,
    params: Params = DEFAULT_PARAMS,
) -> int:
    """Run ``check-dossier``. ``argv`` are the arguments after the program name; a leading ``check-dossier``
    is accepted and skipped."""
    args = list(argv)
    if args and args[0] == "check-dossier":
        args = args[1:]
    if any(a in ("-h", "--help") for a in args):
        stdout.write(HELP)
        return 0
    if len(args) != 1:
        stderr.write(USAGE)
        stderr.write("Lỗi: cần đúng một tệp (hoặc -). / Error: exactly one FILE (or -) is expected.\n")
        return 2
    name = args[0]
    try:
        if name == "-":
            text = stdin.read()
        else:
            with open(name, encoding="utf-8-sig") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(stderr, name, f"không đọc được tệp ({exc})", f"cannot read the file ({exc})")
    try:
        check_depth(text)
    except DossierError as exc:
        return _fail(stderr, exc.path, exc.message_vi, exc.message_en)
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return _fail(stderr, name, f"không phải JSON hợp lệ ({exc})", f"not valid JSON ({exc})")
    try:
        dossier, as_of, calendar = parse(obj, today)
    except DossierError as exc:
        return _fail(stderr, exc.path, exc.message_vi, exc.message_en)
    result = check(dossier, as_of, calendar, params)
    stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    return 1 if result.has_errors else 0


def _no_constant(name: str) -> None:
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not allowed in JSON")
