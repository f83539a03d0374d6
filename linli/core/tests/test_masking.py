import pytest
from django.template import Context, Template

from linli.core.masking import mask_citizen_id, mask_name, mask_phone


@pytest.mark.parametrize(
    "value, masked",
    [
        ("110101199003077777", "110***********7777"),
        ("11010519491231002X", "110***********002X"),
        ("110105491231002", "110********1002"),
        ("1234567", "****567"),  # too short to keep both ends
        ("", ""),
        (None, ""),
    ],
)
def test_mask_citizen_id(value, masked):
    assert mask_citizen_id(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [
        ("13812345678", "138****5678"),
        ("0531-88886666", "0531-****6666"),
        ("010-6234567", "010-***4567"),
        ("12345", "***45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("张", "*"),
        (" 李四 ", "李*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    "value",
    ["110101199003077777", "11010519491231002X", "13812345678", "0531-88886666", "张三丰", "欧阳娜娜"],
)
def test_masks_hide_the_middle(value):
    for masked in (mask_citizen_id(value), mask_phone(value), mask_name(value)):
        assert masked != value
        assert len(masked) == len(value)


def test_template_filters():
    rendered = Template(
        "{% load masking %}{{ id|mask_citizen_id }} {{ phone|mask_phone }} {{ name|mask_name }} [{{ none|mask_phone }}]"
    ).render(Context({"id": "110101199003077777", "phone": "13812345678", "name": "张三丰", "none": None}))
    assert rendered == "110***********7777 138****5678 张*丰 []"
