"""Vietnamese text helpers: accent-free search keys and dictionary sort keys.

Pure functions, no Django. `fold("Nguyễn Văn Ân") == "nguyen van an"`.
The sort key orders names as Vietnamese users expect: given name, then middle, then family
name; letters in the Vietnamese alphabet order (a ă â b c d đ e ê g h i …); tones only break
ties, in the order ngang, huyền, hỏi, ngã, sắc, nặng.
"""

import re
import unicodedata

_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_SHAPE = {"\u0306": "breve", "\u0302": "circ", "\u031b": "horn"}
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: chr(0x41 + i) for i, letter in enumerate(_ALPHABET)}
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip every diacritic, đ→d, collapse spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip()


def _word_key(word: str) -> tuple[str, str]:
    primary, tones = [], []
    tone = "0"
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
            continue
        if ch in _SHAPE and primary:
            base = primary.pop()
            composed = unicodedata.normalize("NFC", base + ch)
            primary.append(composed)
            continue
        if unicodedata.combining(ch):
            continue
        primary.append(ch)
    ranked = "".join(_RANK.get(ch, ch) for ch in primary)
    tones.append(tone)
    return ranked, "".join(tones)


def sort_key(family: str, middle: str, given: str) -> str:
    """A string key: compare keys with plain `<` (or ORDER BY with a binary collation)."""
    words = [w for part in (given, middle, family) for w in _SPACES.split((part or "").strip()) if w]
    keys = [_word_key(w) for w in words]
    return " ".join(k[0] for k in keys) + "~" + "".join(k[1] for k in keys)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """'Nguyễn Thị Minh Khai' → ('Nguyễn', 'Thị Minh', 'Khai')."""
    words = _SPACES.split(unicodedata.normalize("NFC", full_name).strip())
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def normalize_citizen_id(value: str | None) -> str:
    """A citizen ID as 12 ASCII digits: digits of other scripts (full-width ０-９, Arabic-Indic …) become their
    ASCII digit, spaces, dots and dashes are dropped; anything else is kept so that validation refuses it.
    Without this, "０７９…" and "079…" would be two different IDs and the uniqueness check would not hold."""
    out = []
    for ch in unicodedata.normalize("NFKC", value or "").strip():
        if ch in " .-\u00a0":
            continue
        digit = unicodedata.digit(ch, None) if not ch.isascii() else None
        out.append(str(digit) if digit is not None else ch)
    return "".join(out)
