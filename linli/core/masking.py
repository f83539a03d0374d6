"""Masked display of personal data: what screens, exports and the API show by default.

Revealing a full value is a separate permission with an access-log row (DESIGN.md,
"Personal data"); these functions only hide. They never fail: None and "" give "".
"""

from __future__ import annotations


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    hidden = len(text) - keep_start - keep_end
    if hidden < 1:
        # Too short to keep both ends and still hide something: keep only what is safe.
        keep_start, keep_end = 0, min(keep_end, len(text) // 2)
        hidden = len(text) - keep_end
    return text[:keep_start] + "*" * hidden + text[len(text) - keep_end :]


def mask_citizen_id(value: str | None) -> str:
    """ "110101199003077777" -> "110***********7777": the province/city and the last four."""
    text = (value or "").strip()
    return _mask_middle(text, 3, 4) if text else ""


def mask_phone(value: str | None) -> str:
    """ "13812345678" -> "138****5678"; "0531-88886666" -> "0531-****6666"."""
    text = (value or "").strip()
    if not text:
        return ""
    area, sep, local = text.rpartition("-")
    if sep and area:
        return f"{area}-{_mask_middle(local, 0, 4)}"
    return _mask_middle(text, 3, 4)


def mask_name(value: str | None) -> str:
    """ "张三丰" -> "张*丰", "张三" -> "张*", "欧阳娜娜" -> "欧**娜"."""
    text = (value or "").strip()
    if len(text) <= 1:
        return "*" if text else ""
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]
