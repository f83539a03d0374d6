"""Citizen ID numbers (GB 11643-1999) and mainland phone numbers: validation and normal form.

Messages never say what the check character should be: that would help someone make up a
number that passes.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed

CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# First two digits of the administrative division code. 71 is Taiwan; 81, 82 and 83 are
# used by residence permits of Hong Kong, Macao and Taiwan residents. Retired county codes
# in digits 3-6 are normal for people born before a redistricting, so they are not checked.
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)

MIN_BIRTH_YEAR = 1900

MALE = "M"
FEMALE = "F"


@dataclass(frozen=True)
class CitizenId:
    number: str  # 18 characters, upper-case X
    birth_date: datetime.date
    sex: str  # MALE or FEMALE


def _clean(value: str) -> str:
    # NFKC turns full-width digits and letters (and the ideographic space) into ASCII.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _fail(message: str, code: str, field: str | None) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def parse_citizen_id(value: str, *, field: str | None = None) -> CitizenId:
    """Validate a citizen ID number and return its normal form, birth date and sex.

    Accepts 18-character numbers and 15-digit numbers issued before 1999 (converted to 18),
    lower-case x, full-width characters and spaces. Raises ValidationFailed.
    """
    text = _clean(value)
    if not text:
        raise _fail(_("Enter a citizen ID number."), "citizen_id_required", field)
    if len(text) not in (15, 18):
        raise _fail(
            _("A citizen ID number has 18 characters (15 digits for an old one); this one has %(count)d.")
            % {"count": len(text)},
            "citizen_id_length",
            field,
        )
    if not (text.isdigit() or (len(text) == 18 and text[:17].isdigit() and text[17] == "X")):
        raise _fail(
            _("A citizen ID number contains only digits, and the letter X only as its last character."),
            "citizen_id_characters",
            field,
        )
    if int(text[:2]) not in PROVINCE_CODES:
        raise _fail(
            _("The first two digits of a citizen ID number must be a province code; %(code)s is not one.")
            % {"code": text[:2]},
            "citizen_id_province",
            field,
        )
    legacy = len(text) == 15
    birth = "19" + text[6:12] if legacy else text[6:14]
    try:
        birth_date = datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        raise _fail(
            _("The birth date in this citizen ID number is not a real date."), "citizen_id_birth_date", field
        ) from None
    if birth_date.year < MIN_BIRTH_YEAR:
        raise _fail(
            _("The birth date in this citizen ID number is before 1900."), "citizen_id_birth_date", field
        )
    if birth_date > timezone.localdate():
        raise _fail(
            _("The birth date in this citizen ID number is in the future."), "citizen_id_birth_date", field
        )
    if legacy:
        first17 = text[:6] + "19" + text[6:]
        number = first17 + check_character(first17)
    else:
        if check_character(text[:17]) != text[17]:
            raise _fail(
                _(
                    "The check character of this citizen ID number does not match; check it for typing errors."
                ),
                "citizen_id_check",
                field,
            )
        number = text
    sex = MALE if int(number[16]) % 2 else FEMALE
    return CitizenId(number=number, birth_date=birth_date, sex=sex)


def normalise_citizen_id(value: str, *, field: str | None = None) -> str:
    return parse_citizen_id(value, field=field).number


def canonical_citizen_id(value: str) -> str:
    """The normal form when the number is valid, else the cleaned text; never raises.

    Used for blind indexes: a search for a mistyped number must find nothing, not fail.
    """
    try:
        return parse_citizen_id(value).number
    except ValidationFailed:
        return _clean(value)


# --- phones -----------------------------------------------------------------------------

MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02X have three digits, all others four. Local numbers: 7 or 8 digits
# and they never start with 0 or 1.
LANDLINE_RE = re.compile(r"(010|02\d|0[3-9]\d\d)([2-9]\d{6,7})")


def _phone_digits(value: str) -> tuple[str, bool]:
    """Remove spaces, dashes, dots and brackets and a +86/0086/86 country code.

    Returns the rest and whether a country code was removed. A bare "86" only counts as a
    country code in front of a number that is too long without it.
    """
    text = re.sub(r"[\s\-.()（）]", "", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :], True
    if text.startswith("86") and len(text) in (12, 13):
        return text[2:], True
    return text, False


def normalise_mobile(value: str, *, field: str | None = None) -> str:
    """A mainland mobile number as 11 digits. Raises ValidationFailed."""
    text, _country = _phone_digits(value)
    if not MOBILE_RE.fullmatch(text):
        raise _fail(_("Enter a mobile number: 11 digits starting with 13 to 19."), "mobile_invalid", field)
    return text


def normalise_landline(value: str, *, field: str | None = None) -> str:
    """A mainland landline as "AREA-LOCAL", e.g. "0531-88886666". Raises ValidationFailed."""
    text, country = _phone_digits(value)
    if country and not text.startswith("0"):
        # +86 531 88886666: the international form drops the trunk 0.
        text = "0" + text
    match = LANDLINE_RE.fullmatch(text)
    if not match:
        raise _fail(
            _("Enter a landline number with its area code, for example 0531-88886666."),
            "landline_invalid",
            field,
        )
    return f"{match.group(1)}-{match.group(2)}"


def normalise_phone(value: str, *, field: str | None = None) -> str:
    """A mobile number (11 digits) or, failing that, a landline ("0531-88886666")."""
    try:
        return normalise_mobile(value, field=field)
    except ValidationFailed:
        pass
    try:
        return normalise_landline(value, field=field)
    except ValidationFailed:
        raise _fail(
            _("Enter a mobile number (11 digits) or a landline number with its area code."),
            "phone_invalid",
            field,
        ) from None


def canonical_phone_digits(value: str) -> str:
    """Digits of the normal form when the number is valid, else all its digits; never raises."""
    try:
        return normalise_phone(value).replace("-", "")
    except ValidationFailed:
        return re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))
