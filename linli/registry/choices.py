"""Code lists of the registry. Stored values are the national codes where one exists
(GB/T 4761 family relations, GB 3304 ethnic groups), so imports and exports speak the same
language as the public-security and civil-affairs systems."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    """Relation to the householder, GB/T 4761-2008 家庭关系代码 (the common entries; the
    two-digit code is what is stored)."""

    HOUSEHOLDER = "02", _("Householder")  # 户主
    SPOUSE = "10", _("Spouse")  # 配偶
    HUSBAND = "11", _("Husband")  # 夫
    WIFE = "12", _("Wife")  # 妻
    SON = "20", _("Son")  # 子
    SON_IN_LAW = "28", _("Son-in-law")  # 女婿
    DAUGHTER = "30", _("Daughter")  # 女
    DAUGHTER_IN_LAW = "38", _("Daughter-in-law")  # 儿媳
    GRANDCHILD = "40", _("Grandchild")  # 孙子、孙女或外孙子、外孙女
    GRANDSON = "41", _("Grandson")  # 孙子
    GRANDDAUGHTER = "42", _("Granddaughter")  # 孙女
    DAUGHTERS_SON = "43", _("Daughter's son")  # 外孙子
    DAUGHTERS_DAUGHTER = "44", _("Daughter's daughter")  # 外孙女
    PARENT = "50", _("Parent")  # 父母
    FATHER = "51", _("Father")  # 父亲
    MOTHER = "52", _("Mother")  # 母亲
    FATHER_IN_LAW = "53", _("Father-in-law (husband's father)")  # 公公
    MOTHER_IN_LAW = "54", _("Mother-in-law (husband's mother)")  # 婆婆
    WIFES_FATHER = "55", _("Father-in-law (wife's father)")  # 岳父
    WIFES_MOTHER = "56", _("Mother-in-law (wife's mother)")  # 岳母
    GRANDPARENT = "60", _("Grandparent")  # 祖父母或外祖父母
    SIBLING = "70", _("Brother or sister")  # 兄弟姐妹
    OTHER = "80", _("Other")  # 其他
    OTHER_RELATIVE = "97", _("Other relative")  # 其他亲属
    NOT_RELATED = "99", _("Not related")  # 非亲属


class Ethnicity(models.TextChoices):
    """GB 3304-1991 民族代码: the 56 ethnic groups (names in the standard's romanisation),
    plus its codes for unidentified groups and naturalised citizens."""

    HAN = "01", _("Han")
    MONGOL = "02", _("Mongol")
    HUI = "03", _("Hui")
    ZANG = "04", _("Zang (Tibetan)")
    UYGUR = "05", _("Uygur")
    MIAO = "06", _("Miao")
    YI = "07", _("Yi")
    ZHUANG = "08", _("Zhuang")
    BOUYEI = "09", _("Bouyei")
    CHOSEN = "10", _("Chosen (Korean)")
    MAN = "11", _("Man (Manchu)")
    DONG = "12", _("Dong")
    YAO = "13", _("Yao")
    BAI = "14", _("Bai")
    TUJIA = "15", _("Tujia")
    HANI = "16", _("Hani")
    KAZAK = "17", _("Kazak")
    DAI = "18", _("Dai")
    LI = "19", _("Li")
    LISU = "20", _("Lisu")
    VA = "21", _("Va")
    SHE = "22", _("She")
    GAOSHAN = "23", _("Gaoshan")
    LAHU = "24", _("Lahu")
    SUI = "25", _("Sui")
    DONGXIANG = "26", _("Dongxiang")
    NAXI = "27", _("Naxi")
    JINGPO = "28", _("Jingpo")
    KIRGIZ = "29", _("Kirgiz")
    TU = "30", _("Tu")
    DAUR = "31", _("Daur")
    MULAO = "32", _("Mulao")
    QIANG = "33", _("Qiang")
    BLANG = "34", _("Blang")
    SALAR = "35", _("Salar")
    MAONAN = "36", _("Maonan")
    GELAO = "37", _("Gelao")
    XIBE = "38", _("Xibe")
    ACHANG = "39", _("Achang")
    PUMI = "40", _("Pumi")
    TAJIK = "41", _("Tajik")
    NU = "42", _("Nu")
    UZBEK = "43", _("Uzbek")
    RUSS = "44", _("Russ")
    EWENKI = "45", _("Ewenki")
    DEANG = "46", _("Deang")
    BONAN = "47", _("Bonan")
    YUGUR = "48", _("Yugur")
    GIN = "49", _("Gin")
    TATAR = "50", _("Tatar")
    DERUNG = "51", _("Derung")
    OROQEN = "52", _("Oroqen")
    HEZHEN = "53", _("Hezhen")
    MONBA = "54", _("Monba")
    LHOBA = "55", _("Lhoba")
    JINO = "56", _("Jino")
    UNIDENTIFIED = "97", _("Other (not identified)")
    NATURALISED = "98", _("Naturalised citizen of foreign origin")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PopulationType(models.TextChoices):
    REGISTERED = "registered", _("Registered (hukou here)")  # 户籍人口
    RESIDENT = "resident", _("Resident (hukou elsewhere, lives here)")  # 常住人口
    FLOATING = "floating", _("Floating")  # 流动人口


class Separation(models.TextChoices):
    """人户分离: the registration and the home are in different places."""

    NONE = "", _("No")
    AWAY = "away", _("Registered here, lives elsewhere")  # 户在人不在
    HERE = "here", _("Lives here, registered elsewhere")  # 人在户不在


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("Registered address")  # 户籍地址
    RESIDENCE = "residence", _("Place of residence")  # 居住地址


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("On the register")  # 在册
    ARCHIVED = "archived", _("Off the register")  # 已注销 (kept as history)


class ArchiveReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("Registration moved away")  # 迁出
    DECEASED = "deceased", _("Deceased")  # 死亡
    MOVED_OUT = "moved_out", _("Moved out")  # 搬离


class TagKind(models.TextChoices):
    """Groups that need attention (DOMAIN.md §2). Stored encrypted: see ResidentTag."""

    LIVING_ALONE = "living_alone", _("Elderly living alone")  # 独居老人
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")  # 空巢老人
    VERY_OLD = "very_old", _("Very old (80+)")  # 高龄老人
    SUBSISTENCE = "subsistence", _("Minimum subsistence (dibao)")  # 低保
    EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty")  # 特困
    DISABLED = "disabled", _("Person with a disability")  # 残疾人
    VETERAN = "veteran", _("Veteran")  # 退役军人
    PARTY_MEMBER = "party_member", _("Party member")  # 党员
    FIVE_ELDERS = "five_elders", _("Five elders")  # 五老
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")  # 留守儿童
    FAMILY_PLANNING = "family_planning", _("Family planning")  # 计生


class PartyRelation(models.TextChoices):
    """Where a party member's organisation relation is: the community party committee
    manages them directly (直管党员), or they belong elsewhere and live here (住社区党员)."""

    DIRECT = "direct", _("Directly managed by the community")
    RESIDENT = "resident", _("Lives in the community")


# The subtypes a tag kind accepts; kinds not listed take none.
TAG_SUBTYPES: dict[str, type[models.TextChoices]] = {TagKind.PARTY_MEMBER: PartyRelation}


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("0–17")
    ADULT = "18-59", _("18–59")
    SENIOR = "60-79", _("60–79")
    VERY_OLD = "80+", _("80 and over")


# Age band -> (youngest, oldest) in whole years; None: no upper limit.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    AgeBand.CHILD: (0, 17),
    AgeBand.ADULT: (18, 59),
    AgeBand.SENIOR: (60, 79),
    AgeBand.VERY_OLD: (80, None),
}


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_date_range(band: str, today: datetime.date) -> tuple[datetime.date | None, datetime.date]:
    """Birth dates (earliest exclusive, latest inclusive) of the people in an age band today."""
    youngest, oldest = AGE_BANDS[band]
    latest = years_before(today, youngest)
    earliest = years_before(today, oldest + 1) if oldest is not None else None
    return earliest, latest


def age_on(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
