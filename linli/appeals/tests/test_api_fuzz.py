"""schemathesis over the appeals operations (linli/core/tests/test_api_schema.py does every
operation on a world without appeals): here the world has appeals in every state, and
generated ids are half the time those of real appeals, places and residents, so the
fuzzing reaches the workflow. No 5xx, only declared statuses and bodies."""

import pytest

from linli.appeals.tests.scoping_fixtures import (
    appeal_a,
    assigned_a,
    closed_a,
    extension_a,
    handling_a,
    postponed_a,
    similar_a,
    studied_a,
)
from linli.core.tests.test_api_schema import ID_SOURCES, _model, _nodes, exercise, fuzz_settings, schema

pytestmark = pytest.mark.django_db

ID_SOURCES.setdefault("appeal_id", _model("appeals.Appeal"))
ID_SOURCES.setdefault("into", _model("appeals.Appeal"))
ID_SOURCES.setdefault("place_id", _nodes)
ID_SOURCES.setdefault("reporter_resident_id", _model("registry.Resident"))


def _appeals(world):
    for make in (appeal_a, similar_a, studied_a, assigned_a, handling_a, closed_a, extension_a, postponed_a):
        make(world)


@schema.include(path_regex="^/api/v1/appeals").parametrize()
@fuzz_settings
def test_appeals_api_as_community_secretary(case, world):
    _appeals(world)
    exercise(case, world.secretary)
