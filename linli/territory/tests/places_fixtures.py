"""A place and a responsibility in grid A of the test world (linli/test.py), for the
scoping cases and the places and responsibilities tests. Idempotent: call as often as needed."""

import datetime

from linli.territory.models import Duty, Employment, Place, PlaceKind, Responsibility, SmallShopKind
from linli.territory.places_services import ContactData, place_create
from linli.territory.responsibility_services import responsibility_appoint
from linli.territory.tests.geo_fixtures import IN_GRID_A
from linli.test import World

PLACE_A_NAME = "老王烩面馆"
PLACE_A_PHONE = "13912345678"
# A valid unified social credit code (GB 32100-2015).
VALID_CREDIT_CODE = "91350100M000100Y43"
CHIEF_A_NAME = "李网格长"


def place_a(world: World) -> Place:
    place = Place.objects.filter(grid=world.grid_a, name=PLACE_A_NAME).first()
    if place is None:
        place = place_create(
            actor=world.root,
            kind=PlaceKind.STREET_SHOP,
            small_shop_kind=SmallShopKind.RESTAURANT,
            name=PLACE_A_NAME,
            grid=world.grid_a,
            credit_code=VALID_CREDIT_CODE,
            address="文化路1号",
            # Inside grid A's test outline; without outlines the chosen grid A applies.
            lng=IN_GRID_A[0],
            lat=IN_GRID_A[1],
            contacts=[ContactData("王老板", "店主", PLACE_A_PHONE)],
        )
    return place


def chief_a(world: World) -> Responsibility:
    row = Responsibility.objects.filter(
        node=world.grid_a, duty=Duty.GRID_CHIEF, ended_at__isnull=True
    ).first()
    if row is None:
        row = responsibility_appoint(
            actor=world.root,
            node=world.grid_a,
            duty=Duty.GRID_CHIEF,
            person_name=CHIEF_A_NAME,
            phone="13800001111",
            started_on=datetime.date(2024, 1, 1),
        )
    return row


def worker_a(world: World) -> Responsibility:
    """A name-only full-time grid worker of grid A."""
    row = Responsibility.objects.filter(node=world.grid_a, duty=Duty.GRID_WORKER, user__isnull=True).first()
    if row is None:
        row = responsibility_appoint(
            actor=world.root,
            node=world.grid_a,
            duty=Duty.GRID_WORKER,
            person_name="赵专职",
            employment=Employment.FULL_TIME,
            started_on=datetime.date(2024, 2, 1),
        )
    return row
