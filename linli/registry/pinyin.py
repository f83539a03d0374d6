"""Pinyin of personal names for search: 张三丰 → "zhangsanfeng", initials "zsf".

pypinyin reads characters as ordinary words, which is wrong for many surnames (曾 as
"ceng", 单 as "dan", 解 as "jie"). Surnames are looked up in a table first. Where a
surname has two common readings (乐 le/yue, 覃 qin/tan), every reading is stored, as
space-separated variants, so a search typed either way finds the person. ü is stored both as
"v" (what pinyin keyboards type) and as "u" (what people often write): 吕 → "lv", "lu".
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

# Compound surnames first: they are matched before the one-character table.
# Each reading as its syllables, so that initials come out per character (欧阳 → "oy").
COMPOUND_SURNAMES: dict[str, list[list[str]]] = {
    "欧阳": [["ou", "yang"]],
    "司马": [["si", "ma"]],
    "诸葛": [["zhu", "ge"]],
    "上官": [["shang", "guan"]],
    "尉迟": [["yu", "chi"]],
    "长孙": [["zhang", "sun"]],
    "万俟": [["mo", "qi"]],
    "令狐": [["ling", "hu"]],
    "皇甫": [["huang", "fu"]],
    "东方": [["dong", "fang"]],
    "公孙": [["gong", "sun"]],
    "慕容": [["mu", "rong"]],
    "夏侯": [["xia", "hou"]],
    "宇文": [["yu", "wen"]],
    "澹台": [["tan", "tai"]],
    "单于": [["chan", "yu"]],
    "司徒": [["si", "tu"]],
    "西门": [["xi", "men"]],
    "端木": [["duan", "mu"]],
    "轩辕": [["xuan", "yuan"]],
}

# Surnames whose reading as a surname differs from pypinyin's default, or has two forms.
SURNAMES: dict[str, list[str]] = {
    "曾": ["zeng"],
    "单": ["shan"],
    "解": ["xie", "jie"],
    "查": ["zha", "cha"],
    "仇": ["qiu", "chou"],
    "区": ["ou", "qu"],
    "翟": ["zhai", "di"],
    "覃": ["qin", "tan"],
    "乐": ["yue", "le"],
    "缪": ["miao", "mou"],
    "盖": ["ge", "gai"],
    "朴": ["piao", "pu"],
    "朝": ["chao"],
    "召": ["shao"],
    "繁": ["po"],
    "种": ["chong"],
    "员": ["yun"],
    "黑": ["he", "hei"],
    "祭": ["zhai"],
    "秘": ["bi"],
    "华": ["hua"],
    "任": ["ren"],
    "沈": ["shen"],
    "石": ["shi"],
    "隗": ["wei"],
    "宓": ["mi"],
    "蕃": ["pi"],
    "能": ["nai"],
    "厍": ["she"],
    "重": ["chong"],
    "长": ["chang"],
    "尉": ["wei", "yu"],
    "褚": ["chu"],
    "句": ["gou"],
    "都": ["du"],
    "藏": ["zang"],
    "莘": ["shen"],
    "燕": ["yan"],
    "纪": ["ji"],
    "阚": ["kan"],
    "逄": ["pang"],
    "眭": ["sui"],
    "訾": ["zi"],
    "乜": ["nie"],
    "粘": ["nian"],
    "佴": ["nai"],
    "贲": ["ben"],
    "郇": ["huan", "xun"],
    "薄": ["bo"],
    "冼": ["xian"],
    "洗": ["xian"],
    "曲": ["qu"],
    "柏": ["bai"],
    "相": ["xiang"],
    "过": ["guo"],
    "车": ["che"],
    "卜": ["bu"],
    "折": ["she"],
    "要": ["yao"],
    "校": ["xiao"],
    "强": ["qiang"],
    "应": ["ying"],
    "隽": ["juan"],
    "占": ["zhan"],
    "於": ["yu"],
    "率": ["shuai"],
    "仉": ["zhang"],
    "谌": ["chen", "shen"],
}

MAX_VARIANTS = 4
_LATIN = re.compile(r"[a-z]+")


def _syllables(text: str) -> list[str]:
    # errors=lambda: keep Latin letters and digits of mixed names ("Anna王"), drop the rest.
    return [
        s.lower()
        for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False, errors=lambda chars: [chars])
        if s.strip()
    ]


def _readings(name: str) -> list[list[str]]:
    """Each reading of the name as a list of syllables (or Latin words)."""
    for surname, readings in COMPOUND_SURNAMES.items():
        if name.startswith(surname) and len(name) > len(surname):
            rest = _syllables(name[len(surname) :])
            return [[*r, *rest] for r in readings]
    first, rest = name[:1], name[1:]
    readings = SURNAMES.get(first)
    if readings and rest:
        tail = _syllables(rest)
        return [[r, *tail] for r in readings]
    return [_syllables(name)]


def _with_u_variants(words: list[str]) -> list[list[str]]:
    if not any("v" in w for w in words):
        return [words]
    return [words, [w.replace("v", "u") for w in words]]


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin variants, initials variants), each space-separated, lower-case ASCII."""
    text = re.sub(r"[\s·•．.]", "", unicodedata.normalize("NFKC", name or ""))
    if not text:
        return "", ""
    fulls: list[str] = []
    initials: list[str] = []
    for reading in _readings(text):
        for words in _with_u_variants(reading):
            words = [w for w in words if _LATIN.fullmatch(w) or w.isdigit()]
            full = "".join(words)
            initial = "".join(w[0] for w in words if w)
            if full and full not in fulls:
                fulls.append(full)
            if initial and initial not in initials:
                initials.append(initial)
    return " ".join(fulls[:MAX_VARIANTS]), " ".join(initials[:MAX_VARIANTS])
