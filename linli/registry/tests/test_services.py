import datetime

import pytest
from django.db import connection

from linli.core.crypto import blind_index
from linli.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.registry import services
from linli.registry.choices import ArchiveReason, PartyRelation, Relation, ResidentStatus, TagKind
from linli.registry.demo import citizen_id_for
from linli.registry.models import EventKind, Resident, ResidentEvent
from linli.registry.tests.helpers import household, new_citizen_id, resident

pytestmark = pytest.mark.django_db

ID_1958 = citizen_id_for("370811", datetime.date(1958, 3, 5), 124)  # even sequence: female


def test_create_derives_birth_date_and_sex_and_search_keys(world):
    person = resident(world, name="曾国藩", citizen_id=ID_1958.lower(), phone="138 1234 5678")
    person.refresh_from_db()
    assert person.citizen_id == ID_1958.upper()
    assert person.birth_date == datetime.date(1958, 3, 5)
    assert person.sex == "F"
    assert person.name_pinyin == "zengguofan"
    assert person.name_initials == "zgf"
    assert person.citizen_id_last4 == ID_1958[-4:]
    assert person.phone == "13812345678"
    assert person.phone_last4 == "5678"
    assert person.citizen_id_index == blind_index(ID_1958, "citizen_id")
    assert person.node_id == world.dwelling_a.pk
    assert person.household.householder_id == person.pk


def test_full_width_id_and_legacy_15_digit_number_are_normalised(world):
    full_width = ID_1958.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    person = resident(world, citizen_id=full_width)
    assert person.citizen_id == ID_1958
    legacy = resident(world, citizen_id="370811580305123")  # 15 digits: 19 added, check computed
    assert legacy.citizen_id.startswith("37081119580305123")
    assert len(legacy.citizen_id) == 18


@pytest.mark.parametrize(
    "value, code, text",
    [
        ("37081119580305", "citizen_id_length", "has 18 characters"),
        ("3708111958030512X4", "citizen_id_characters", "only as its last character"),
        ("990811195803051234", "citizen_id_province", "province code"),
        ("370811195802301234", "citizen_id_birth_date", "not a real date"),
    ],
)
def test_citizen_id_messages_name_the_problem(world, value, code, text):
    with pytest.raises(ValidationFailed) as caught:
        resident(world, citizen_id=value)
    assert caught.value.field == "citizen_id"
    assert caught.value.code == code
    assert text in str(caught.value.message)


def test_wrong_check_character_is_refused_without_saying_the_right_one(world):
    wrong = ID_1958[:17] + ("1" if ID_1958[17] != "1" else "2")
    with pytest.raises(ValidationFailed) as caught:
        resident(world, citizen_id=wrong)
    assert caught.value.code == "citizen_id_check"
    assert ID_1958 not in str(caught.value.message) and wrong not in str(caught.value.message)
    assert not Resident.objects.exists()


def test_phone_validation_accepts_mobile_and_landline_and_refuses_the_rest(world):
    assert resident(world, phone="+86 139-0000-1111").phone == "13900001111"
    assert resident(world, phone="0537 2345678").phone == "0537-2345678"
    with pytest.raises(ValidationFailed) as caught:
        resident(world, phone="12345")
    assert caught.value.field == "phone"
    assert "mobile number" in str(caught.value.message)


def test_several_bad_fields_are_reported_together(world):
    with pytest.raises(ValidationFailed) as caught:
        services.resident_create(
            actor=world.root,
            household=household(world),
            name=" ",
            relation="xx",
            citizen_id="123",
            phone="999",
            population_type="nomad",
        )
    assert set(caught.value.errors) == {"name", "relation", "citizen_id", "phone", "population_type"}
    assert caught.value.field == "name"


def test_typed_birth_date_must_agree_with_the_id(world):
    with pytest.raises(ValidationFailed) as caught:
        resident(world, citizen_id=ID_1958, birth_date=datetime.date(1960, 1, 1))
    assert caught.value.field == "birth_date"
    assert "1958-03-05" in str(caught.value.message)


def test_without_id_birth_date_and_sex_are_entered(world):
    person = resident(world, citizen_id="", birth_date=datetime.date(2020, 5, 1), sex="M")
    assert (person.birth_date, person.sex, person.citizen_id, person.citizen_id_index) == (
        datetime.date(2020, 5, 1),
        "M",
        "",
        None,
    )


def test_duplicate_id_names_the_resident_to_someone_who_may_see_them(world):
    first = resident(world, name="王秀英", citizen_id=ID_1958)
    with pytest.raises(ValidationFailed) as caught:
        resident(world, actor=world.grid_worker_a, citizen_id=ID_1958)
    assert caught.value.code == "citizen_id_duplicate"
    assert first.name in str(caught.value.message)
    assert "101室" in str(caught.value.message)


def test_duplicate_id_outside_the_actors_area_does_not_name_anyone(world):
    resident(world, name="王秀英", citizen_id=ID_1958)  # grid A
    hh = household(world, world.dwelling_b, actor=world.grid_worker_b)
    with pytest.raises(ValidationFailed) as caught:
        services.resident_create(
            actor=world.grid_worker_b, household=hh, name="李四", relation="02", citizen_id=ID_1958
        )
    assert caught.value.code == "citizen_id_duplicate"
    assert "王秀英" not in str(caught.value.message)
    assert "outside your area" in str(caught.value.message)


def test_one_householder_per_household(world):
    hh = household(world)
    resident(world, household_=hh, relation=Relation.HOUSEHOLDER, name="户主甲")
    with pytest.raises(ValidationFailed) as caught:
        resident(world, household_=hh, relation=Relation.HOUSEHOLDER)
    assert caught.value.field == "relation"
    assert "户主甲" in str(caught.value.message)


def test_update_records_a_timeline_with_personal_values_masked(world):
    person = resident(world, name="张三", citizen_id=ID_1958, phone="13812345678")
    new_id = new_citizen_id(datetime.date(1990, 6, 1))
    services.resident_update(
        actor=world.grid_worker_a, resident=person, name="张三丰", phone="13987654321", citizen_id=new_id
    )
    person.refresh_from_db()
    assert (person.name, person.phone, person.citizen_id, person.birth_date) == (
        "张三丰",
        "13987654321",
        new_id,
        datetime.date(1990, 6, 1),
    )
    assert person.name_initials == "zsf"
    event = person.events.get(kind=EventKind.UPDATED)
    assert event.actor == world.grid_worker_a
    changes = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert changes["name"] == ("张三", "张三丰")
    assert changes["phone"] == ("138****5678", "139****4321")
    assert changes["citizen_id"] == ("370***********" + ID_1958[-4:], "370***********" + new_id[-4:])
    assert changes["birth_date"] == ("1958-03-05", "1990-06-01")
    text = str(event.changes)
    for secret in (ID_1958, new_id, "13812345678", "13987654321"):
        assert secret not in text
    row = AuditEntry.objects.get(action="registry.resident.update")
    assert row.changes["before"]["citizen_id"] == "***"
    assert row.changes["after"]["phone"] == "***"
    assert row.changes["after"]["name"] == "张三丰"
    assert ID_1958 not in str(row.changes) and "13987654321" not in str(row.changes)


def test_update_without_changes_writes_nothing(world):
    person = resident(world, name="张三")
    services.resident_update(actor=world.root, resident=person, name="张三")
    assert not person.events.filter(kind=EventKind.UPDATED).exists()


def test_grid_worker_cannot_touch_another_grid_and_building_head_cannot_write(world):
    person = resident(world)
    with pytest.raises(OutOfScope):
        services.resident_update(actor=world.grid_worker_b, resident=person, name="改名")
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=world.building_head, resident=person, name="改名")
    with pytest.raises(OutOfScope):
        services.household_create(actor=world.grid_worker_b, dwelling=world.dwelling_a)
    person.refresh_from_db()
    assert person.name == "张三丰"


def test_household_lives_in_a_dwelling(world):
    with pytest.raises(ValidationFailed) as caught:
        services.household_create(actor=world.root, dwelling=world.building_a)
    assert caught.value.field == "dwelling"


def test_move_keeps_history_and_follows_scope(world):
    old = household(world)
    person = resident(world, household_=old, name="搬家人")
    assert old.householder_id is not None
    services.resident_move(
        actor=world.secretary, resident=person, to_dwelling=world.dwelling_b, note="买了新房"
    )
    person.refresh_from_db()
    old.refresh_from_db()
    assert person.node_id == world.dwelling_b.pk
    assert person.household.dwelling_id == world.dwelling_b.pk
    assert person.household.householder_id == person.pk
    assert person.relation == Relation.HOUSEHOLDER
    assert old.householder_id is None
    assert old.members.filter(pk=person.pk).count() == 0
    event = person.events.get(kind=EventKind.MOVED)
    address = {c["field"]: (c["old"], c["new"]) for c in event.changes}["address"]
    assert address == (
        "新世纪社区 第一网格 小区 1号楼 1单元 101室",
        "新世纪社区 第二网格 小区 1号楼 1单元 101室",
    )
    assert event.note == "买了新房"
    # Grid A's worker no longer sees the person; grid B's does.
    assert not Resident.objects.restrict(world.grid_worker_a).filter(pk=person.pk).exists()
    assert Resident.objects.restrict(world.grid_worker_b).filter(pk=person.pk).exists()


def test_move_needs_the_right_to_add_at_the_destination(world):
    person = resident(world)
    with pytest.raises(OutOfScope):
        services.resident_move(actor=world.grid_worker_a, resident=person, to_dwelling=world.dwelling_b)
    person.refresh_from_db()
    assert person.node_id == world.dwelling_a.pk
    assert not person.events.filter(kind=EventKind.MOVED).exists()


def test_move_into_an_existing_household(world):
    target = household(world, world.dwelling_a2)
    head = resident(world, household_=target, name="户主")
    person = resident(world, name="新成员")
    services.resident_move(actor=world.root, resident=person, to_household=target, relation=Relation.SPOUSE)
    person.refresh_from_db()
    assert person.household_id == target.pk and person.node_id == world.dwelling_a2.pk
    with pytest.raises(ValidationFailed) as caught:
        services.resident_move(actor=world.root, resident=person, to_household=target, relation="10")
    assert caught.value.code == "move_same"
    assert head.household_id == target.pk


def test_archive_keeps_the_record_its_tags_and_timeline(world):
    person = resident(world, citizen_id=ID_1958, name="王大爷")
    tag = services.tag_set(actor=world.root, resident=person, kind=TagKind.LIVING_ALONE)
    services.resident_archive(
        actor=world.grid_worker_a,
        resident=person,
        reason=ArchiveReason.DECEASED,
        on=datetime.date(2026, 3, 1),
        note="家属告知",
    )
    person.refresh_from_db()
    tag.refresh_from_db()
    assert person.status == ResidentStatus.ARCHIVED
    assert (person.archive_reason, person.archived_on) == ("deceased", datetime.date(2026, 3, 1))
    assert tag.ended_on == max(datetime.date(2026, 3, 1), tag.started_on)
    assert person.household.householder_id is None
    kinds = list(person.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.TAG_SET, EventKind.ARCHIVED]
    # Nothing is deleted, and an archived record cannot be edited.
    assert Resident.objects.filter(pk=person.pk).exists()
    with pytest.raises(ValidationFailed) as caught:
        services.resident_update(actor=world.root, resident=person, name="x")
    assert caught.value.code == "archived"
    # The same person may be registered again (moved back): the archived record stays as history.
    again = resident(world, citizen_id=ID_1958, name="王大爷")
    assert Resident.objects.filter(citizen_id_index=blind_index(ID_1958, "citizen_id")).count() == 2
    assert again.status == ResidentStatus.ACTIVE


def test_archive_reason_must_be_known(world):
    person = resident(world)
    with pytest.raises(ValidationFailed) as caught:
        services.resident_archive(actor=world.root, resident=person, reason="vanished")
    assert caught.value.field == "reason"


def test_tags_are_encrypted_dated_and_ended(world):
    person = resident(world)
    tag = services.tag_set(
        actor=world.grid_worker_a,
        resident=person,
        kind=TagKind.PARTY_MEMBER,
        subtype=PartyRelation.DIRECT,
        evidence="党员证 001",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, subtype, evidence FROM registry_residenttag WHERE id = %s", [tag.pk])
        stored = cursor.fetchone()
    assert tag.kind == "party_member"
    assert stored[0].count(":") == 2  # key id, algorithm, ciphertext
    assert "party_member" not in str(stored) and "direct" not in str(stored) and "党员证" not in str(stored)
    with pytest.raises(ValidationFailed) as caught:
        services.tag_set(actor=world.root, resident=person, kind=TagKind.PARTY_MEMBER, subtype="direct")
    assert caught.value.code == "tag_exists"
    with pytest.raises(ValidationFailed) as caught:
        services.tag_set(actor=world.root, resident=person, kind=TagKind.VETERAN, subtype="direct")
    assert caught.value.field == "subtype"
    with pytest.raises(ValidationFailed) as caught:
        services.tag_set(actor=world.root, resident=person, kind=TagKind.PARTY_MEMBER)
    assert caught.value.field == "subtype"
    services.tag_end(actor=world.grid_worker_a, tag=tag, note="组织关系转出")
    tag.refresh_from_db()
    assert tag.ended_on is not None and tag.ended_by == world.grid_worker_a
    assert sorted(person.events.filter(tag=tag).values_list("kind", flat=True)) == ["tag_ended", "tag_set"]
    audit_rows = AuditEntry.objects.filter(action__startswith="registry.tag")
    assert audit_rows.count() == 2
    assert "party_member" not in str(list(audit_rows.values_list("changes", "target_repr")))
    with pytest.raises(ValidationFailed):
        services.tag_end(actor=world.root, tag=tag)


def test_building_head_may_not_set_tags(world):
    person = resident(world)
    with pytest.raises(PermissionDenied):
        services.tag_set(actor=world.building_head, resident=person, kind=TagKind.VETERAN)
    with pytest.raises(OutOfScope):
        services.tag_set(actor=world.grid_worker_b, resident=person, kind=TagKind.VETERAN)


def test_every_write_is_audited(world):
    person = resident(world)
    services.resident_update(actor=world.root, resident=person, workplace="济宁学院")
    services.tag_set(actor=world.root, resident=person, kind=TagKind.VETERAN)
    services.resident_move(actor=world.root, resident=person, to_dwelling=world.dwelling_a2)
    services.resident_archive(actor=world.root, resident=person, reason=ArchiveReason.MOVED_AWAY)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "registry.household.create",
        "registry.resident.create",
        "registry.resident.update",
        "registry.tag.set",
        "registry.resident.move",
        "registry.resident.archive",
    } <= actions
    assert ResidentEvent.objects.filter(resident=person).count() == 5
