import datetime
import json

import pytest

from linli.core.models import AuditEntry
from linli.registry import services
from linli.registry.choices import PopulationType, TagKind
from linli.registry.selectors import SearchParams, is_sensitive_query, resident_search
from linli.registry.tests.helpers import household, new_citizen_id, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    zhang = resident(
        world, name="张三丰", citizen_id=new_citizen_id(datetime.date(1950, 1, 2)), phone="13812345678"
    )
    zeng = resident(
        world, name="曾小明", citizen_id=new_citizen_id(datetime.date(2015, 6, 1)), phone="0537-2345678"
    )
    lv = resident(
        world,
        household_=household(world, world.dwelling_a2),
        name="吕秀英",
        citizen_id=new_citizen_id(datetime.date(1940, 3, 3), male=False),
        population_type=PopulationType.FLOATING,
    )
    other = resident(
        world,
        household_=household(world, world.dwelling_b),
        name="张三",
        citizen_id=new_citizen_id(datetime.date(1985, 1, 1)),
    )
    services.tag_set(actor=world.root, resident=lv, kind=TagKind.LIVING_ALONE)
    return {"zhang": zhang, "zeng": zeng, "lv": lv, "other": other}


def names(user, **params):
    return set(resident_search(user=user, params=SearchParams(**params)).values_list("name", flat=True))


def test_name_characters_pinyin_and_initials(world, people):
    root = world.root
    assert names(root, q="三") == {"张三丰", "张三"}
    assert names(root, q="zhangsanfeng") == {"张三丰"}
    assert names(root, q="ZSF") == {"张三丰"}
    assert names(root, q="zs") == {"张三丰", "张三"}
    # 曾 as a surname reads zeng, not ceng; 吕 is typed lv or lu.
    assert names(root, q="zengxiaoming") == {"曾小明"}
    assert names(root, q="cengxiaoming") == set()
    assert names(root, q="lvxiuying") == names(root, q="luxiuying") == {"吕秀英"}


def test_exact_id_through_the_blind_index(world, people):
    number = people["zhang"].citizen_id
    assert names(world.root, q=number) == {"张三丰"}
    assert names(world.root, q=number.lower() + " ") == {"张三丰"}
    assert names(world.root, q=number[:-1] + ("0" if number[-1] != "0" else "1")) == set()


def test_last_four_digits_with_a_name(world, people):
    last4 = people["zhang"].citizen_id[-4:]
    assert names(world.root, q=f"张 {last4}") == {"张三丰"}
    assert names(world.root, q=f"{last4}张三丰") == {"张三丰"}
    assert names(world.root, q="张三丰 5678") == {"张三丰"}  # the phone's last four
    assert names(world.root, q=f"吕 {last4}") == set()


def test_phone_mobile_and_landline(world, people):
    assert names(world.root, q="138 1234 5678".replace(" ", "")) == {"张三丰"}
    assert names(world.root, q="+8613812345678") == {"张三丰"}
    assert names(world.root, q="0537-2345678") == {"曾小明"}
    assert names(world.root, q="13812345670") == set()


def test_address(world, people):
    assert names(world.root, q="102室") == {"吕秀英"}
    assert names(world.root, q="1号楼1单元102") == {"吕秀英"}
    assert names(world.root, q="第二网格") == set()  # grids are filters, not addresses
    assert names(world.root, q=world.dwelling_b.code) == {"张三"}


def test_filters(world, people):
    assert names(world.root, age_band="80+") == {"吕秀英"}
    assert names(world.root, age_band="0-17") == {"曾小明"}
    assert names(world.root, age_band="60-79") == {"张三丰"}
    assert names(world.root, population_type="floating") == {"吕秀英"}
    assert names(world.root, grid=world.grid_b) == {"张三"}
    assert names(world.root, tag="living_alone") == {"吕秀英"}


def test_search_is_scoped(world, people):
    assert names(world.grid_worker_b, q="zs") == {"张三"}
    assert names(world.grid_worker_b, q=people["zhang"].citizen_id) == set()
    assert names(world.grid_worker_a, q="zs") == {"张三丰"}
    # A building head sees the people of their building but cannot select them by tag.
    assert names(world.building_head, tag="living_alone") == set()
    assert names(world.building_head) == {"张三丰", "曾小明", "吕秀英"}


def test_sensitive_queries_are_recognised():
    assert is_sensitive_query("370811195803051231")
    assert is_sensitive_query("张三 13812345678")
    assert is_sensitive_query("0537-2345678")
    assert not is_sensitive_query("张三 1231")
    assert not is_sensitive_query("zsf")
    assert not is_sensitive_query("2号楼1单元301")


def test_page_search_posts_and_answers_with_a_fragment(world, people, login):
    client = login(world.grid_worker_a)
    number = people["zhang"].citizen_id
    response = client.post("/registry/search/", {"q": number}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张三丰" in html and "曾小明" not in html
    assert "<html" not in html  # the results fragment only
    assert number not in html
    # The list page never takes the search text from the URL.
    response = client.get("/registry/", {"q": number})
    assert "曾小明" in response.content.decode()
    page = client.get("/registry/").content.decode()
    assert 'hx-post="/registry/search/"' in page and "input changed delay:300ms" in page


def test_api_refuses_ids_and_phones_in_a_query_string(world, people, login):
    client = login(world.secretary)
    number = people["zhang"].citizen_id
    response = client.get("/api/v1/registry/residents", {"q": number})
    assert response.status_code == 422
    assert response.json()["code"] == "sensitive_query"
    assert client.get("/api/v1/registry/residents", {"q": "13812345678"}).status_code == 422
    names_found = {r["name"] for r in client.get("/api/v1/registry/residents", {"q": "zsf"}).json()["items"]}
    assert names_found == {"张三丰"}
    response = client.post(
        "/api/v1/registry/residents/search", json.dumps({"q": number}), content_type="application/json"
    )
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["items"]] == ["张三丰"]
    assert response.json()["count"] == 1
    assert not AuditEntry.objects.filter(target_repr__contains=number).exists()


def test_api_tag_filter_is_refused_to_those_who_cannot_see_tags(world, people, login):
    client = login(world.building_head)
    response = client.post(
        "/api/v1/registry/residents/search",
        json.dumps({"tag": "living_alone"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    client = login(world.grid_worker_a)
    response = client.post(
        "/api/v1/registry/residents/search",
        json.dumps({"tag": "living_alone"}),
        content_type="application/json",
    )
    assert [r["name"] for r in response.json()["items"]] == ["吕秀英"]
