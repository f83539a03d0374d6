import datetime

import pytest
from django.utils import timezone

from linli.core.errors import ValidationFailed
from linli.core.identity import (
    FEMALE,
    MALE,
    normalise_citizen_id,
    normalise_landline,
    normalise_mobile,
    normalise_phone,
    parse_citizen_id,
)


def with_check(first17: str) -> str:
    """GB 11643-1999 MOD 11-2, written out again here so the test does not trust the code."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    assert weights == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    remainder = sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11
    return first17 + "10X98765432"[remainder]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def failure(value, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        parse_citizen_id(value, **kwargs)
    return info.value


# --- good numbers ---------------------------------------------------------------------


def test_published_example_from_the_standard():
    result = parse_citizen_id("11010519491231002X")
    assert result.number == "11010519491231002X"
    assert result.birth_date == datetime.date(1949, 12, 31)
    assert result.sex == FEMALE  # 17th digit 2 is even


@pytest.mark.parametrize(
    "first17, birth, sex",
    [
        ("37010219800101001", datetime.date(1980, 1, 1), MALE),
        ("44030419991231234", datetime.date(1999, 12, 31), FEMALE),
        ("65010220000229555", datetime.date(2000, 2, 29), MALE),  # leap day
        ("81000019900615002", datetime.date(1990, 6, 15), FEMALE),  # Hong Kong residence permit
        ("83000019751103003", datetime.date(1975, 11, 3), MALE),  # Taiwan residence permit
        ("71000019000101004", datetime.date(1900, 1, 1), FEMALE),  # first allowed day
    ],
)
def test_computed_numbers_are_accepted(first17, birth, sex):
    number = with_check(first17)
    result = parse_citizen_id(number)
    assert result.number == number
    assert result.birth_date == birth
    assert result.sex == sex


def test_retired_county_code_is_not_an_error():
    # 110103 was Chongwen district of Beijing until 2010; people born there keep the number.
    number = with_check("11010319650304101")
    assert parse_citizen_id(number).number == number


def test_today_is_a_possible_birth_date():
    today = timezone.localdate()
    number = with_check(f"110105{today:%Y%m%d}001")
    assert parse_citizen_id(number).birth_date == today


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        " 11010519491231002X ",  # surrounding spaces
        "110105 19491231 002X",  # grouped the way people read it out
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lower-case x
        "110105\u300019491231002X",  # ideographic space
    ],
)
def test_typing_variants_are_normalised(typed):
    assert normalise_citizen_id(typed) == "11010519491231002X"


def test_fifteen_digit_number_is_converted_to_eighteen():
    result = parse_citizen_id("110105491231002")
    assert result.number == "11010519491231002X"
    assert result.birth_date == datetime.date(1949, 12, 31)
    assert result.sex == FEMALE


def test_fifteen_digit_conversion_computes_the_check_character():
    result = parse_citizen_id("370102800101001")
    assert result.number == with_check("37010219800101001")
    assert result.sex == MALE  # 15th digit (the last) 1 is odd


# --- bad numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002X1", "1234", "1101054912310021"])
def test_wrong_length(value):
    exc = failure(value)
    assert exc.code == "citizen_id_length"
    assert f"this one has {len(value)}" in str(exc.message)


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty(value):
    assert failure(value).code == "citizen_id_required"


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100A2",  # letter inside
        "110105194912X10021",  # X not last
        "11010549123100X",  # X in a 15-digit number
        "11010519491231002Y",
        "-1010519491231002X",
    ],
)
def test_bad_characters(value):
    assert failure(value).code == "citizen_id_characters"


@pytest.mark.parametrize(
    "province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "66", "72", "84", "99"]
)
def test_bad_province(province):
    exc = failure(with_check(f"{province}010519491231002"))
    assert exc.code == "citizen_id_province"
    assert province in str(exc.message)


@pytest.mark.parametrize(
    "first17",
    [
        "11010519490231002",  # 31 February
        "11010519490229002",  # 1949 was not a leap year
        "11010519491301002",  # month 13
        "11010519490000002",  # month 0, day 0
        "11010519491232002",  # day 32
    ],
)
def test_impossible_birth_date(first17):
    exc = failure(with_check(first17))
    assert exc.code == "citizen_id_birth_date"
    assert "not a real date" in str(exc.message)


def test_impossible_birth_date_in_a_fifteen_digit_number():
    assert failure("110105490230002").code == "citizen_id_birth_date"


def test_birth_date_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    exc = failure(with_check(f"110105{tomorrow:%Y%m%d}001"))
    assert exc.code == "citizen_id_birth_date"
    assert "future" in str(exc.message)


def test_birth_date_before_1900():
    # The standard's other published example: correct check character, born 1880.
    exc = failure("440524188001010014")
    assert exc.code == "citizen_id_birth_date"
    assert "1900" in str(exc.message)


@pytest.mark.parametrize("good", ["11010519491231002X", with_check("37010219800101001")])
def test_bad_check_character_does_not_reveal_the_right_one(good):
    exc = failure(wrong_check(good))
    assert exc.code == "citizen_id_check"
    message = str(exc.message)
    assert "does not match" in message
    # Neither the expected character nor any digit: the message must not help forge a number.
    assert not any(ch.isdigit() for ch in message)
    assert "X" not in message


def test_transposed_digits_are_caught_by_the_check_character():
    number = "11010519491231002X"
    swapped = number[:15] + number[16] + number[15] + number[17:]  # ...002X -> ...020X
    assert swapped != number
    assert failure(swapped).code == "citizen_id_check"


def test_error_names_the_field_when_asked():
    assert failure("123", field="citizen_id").field == "citizen_id"


# --- phones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "86 13812345678",
        "8613812345678",
        "0086 138-1234-5678",
        "１３８１２３４５６７８",
        "＋８６　１３８１２３４５６７８",
    ],
)
def test_mobile_numbers_are_normalised(typed):
    assert normalise_mobile(typed) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix(prefix):
    assert normalise_mobile(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12812345678",
        "10812345678",
        "1381234567",
        "138123456789",
        "23812345678",
        "1381234567a",
        "+1 13812345678",
        "0531-88886666",
    ],
)
def test_bad_mobile_numbers(value):
    with pytest.raises(ValidationFailed) as info:
        normalise_mobile(value, field="phone")
    assert info.value.code == "mobile_invalid"
    assert info.value.field == "phone"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("0531-88886666", "0531-88886666"),
        ("053188886666", "0531-88886666"),
        ("0531 8888 6666", "0531-88886666"),
        ("(0531) 8888-6666", "0531-88886666"),
        ("+86 531 8888 6666", "0531-88886666"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("（021）61234567", "021-61234567"),
        ("0898-6123456", "0898-6123456"),  # seven-digit local number
    ],
)
def test_landlines_are_normalised(typed, expected):
    assert normalise_landline(typed) == expected


@pytest.mark.parametrize(
    "value", ["88886666", "0531-0888666", "0531-18886666", "0531-888866661", "13812345678", ""]
)
def test_bad_landlines(value):
    with pytest.raises(ValidationFailed) as info:
        normalise_landline(value)
    assert info.value.code == "landline_invalid"


def test_normalise_phone_takes_mobile_or_landline():
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
    assert normalise_phone("0531 88886666") == "0531-88886666"
    with pytest.raises(ValidationFailed) as info:
        normalise_phone("12345")
    assert info.value.code == "phone_invalid"
