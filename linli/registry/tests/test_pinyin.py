import pytest

from linli.registry.pinyin import name_keys


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("张三丰", "zhangsanfeng", "zsf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("单雄信", "shanxiongxin", "sxx"),
        ("解缙", "xiejin jiejin", "xj jj"),
        ("吕秀英", "lvxiuying luxiuying", "lxy"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("阿依·古丽", "ayiguli", "aygl"),
        ("张 三", "zhangsan", "zs"),
        ("", "", ""),
    ],
)
def test_name_keys(name, full, initials):
    assert name_keys(name) == (full, initials)
