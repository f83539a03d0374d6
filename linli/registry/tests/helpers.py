"""Registry records on the test world (linli/test.py), made through the services."""

import datetime
import itertools

from linli.core.masking import mask_citizen_id
from linli.registry import services
from linli.registry.choices import PopulationType, Relation, TagKind
from linli.registry.demo import citizen_id_for
from linli.registry.models import Household, Resident, ResidentTag
from linli.test import World

# The scoping fixture's resident in grid A: its name is the marker the scoping test looks for.
RESIDENT_A_NAME = "网格甲居民"
RESIDENT_A_ID = citizen_id_for("370811", datetime.date(1958, 3, 5), 123)
RESIDENT_A_MASKED_ID = mask_citizen_id(RESIDENT_A_ID)
RESIDENT_A_PHONE = "13890476521"

_sequence = itertools.count(1)


def new_citizen_id(birth: datetime.date = datetime.date(1980, 1, 1), male: bool = True) -> str:
    """A valid, not yet used ID number (sequence numbers count up per test process)."""
    n = next(_sequence)
    birth = birth + datetime.timedelta(days=n // 400)
    return citizen_id_for("370811", birth, (n % 400) * 2 + (1 if male else 0))


def household(w: World, dwelling=None, actor=None) -> Household:
    return services.household_create(actor=actor or w.root, dwelling=dwelling or w.dwelling_a)


def resident(w: World, *, household_=None, actor=None, **fields) -> Resident:
    household_ = household_ or household(w)
    values = {
        "name": "张三丰",
        "relation": Relation.HOUSEHOLDER if household_.householder_id is None else Relation.SPOUSE,
        "citizen_id": new_citizen_id(),
        "population_type": PopulationType.REGISTERED,
    }
    values.update(fields)
    return services.resident_create(actor=actor or w.root, household=household_, **values)


def resident_a(w: World) -> Resident:
    """The one resident of grid A the scoping cases look at (created once per test)."""
    found = Resident.objects.filter(name=RESIDENT_A_NAME).select_related("node").first()
    if found is not None:
        return found
    person = resident(w, name=RESIDENT_A_NAME, citizen_id=RESIDENT_A_ID, phone=RESIDENT_A_PHONE)
    services.tag_set(actor=w.root, resident=person, kind=TagKind.SUBSISTENCE, evidence="低保证 0001")
    return person


def fresh_resident_a(w: World) -> Resident:
    """A new resident of grid A for each call: writes that change state (archive, move,
    tags) meet the same state for every persona."""
    return resident(w, household_=household(w, w.dwelling_a2), name="新居民")


def fresh_tag_a(w: World) -> ResidentTag:
    return services.tag_set(actor=w.root, resident=fresh_resident_a(w), kind=TagKind.VETERAN)


IMPORT_A_FILENAME = "网格甲名单.csv"


def import_job_a(w: World):
    """An uploaded, not yet started import of one row into grid A."""
    from linli.registry.importing import import_job_create

    content = "姓名,住址/房号\n导入居民,1号楼1单元102\n".encode()
    return import_job_create(actor=w.root, root=w.grid_a, filename=IMPORT_A_FILENAME, content=content)
