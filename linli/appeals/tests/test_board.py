"""Duplicates suggested on intake, rating links, the public board (anonymised) and the
practical-projects list."""

import datetime

import pytest
from django.utils import timezone

from linli.appeals import board, duplicates, projects, rating, services
from linli.appeals.choices import Rating, Status
from linli.appeals.models import Appeal, AppealPhoto
from linli.appeals.tests.helpers import closed, handling, register
from linli.appeals.tests.scoping_fixtures import PNG, png

pytestmark = pytest.mark.django_db


# --- duplicates --------------------------------------------------------------------------------


def test_bigram_similarity():
    assert duplicates.similarity("楼道灯不亮", "楼道的灯不亮了") > 0.5
    assert duplicates.similarity("楼道灯不亮", "小区门口乱停车") == 0
    assert duplicates.similarity("", "x") == 0


def test_similar_open_appeals_in_the_same_grid_are_suggested(world, settings):
    settings.LINLI_APPEAL_DUPLICATE_PERCENT = 40
    first = register(world, title="1单元楼道灯不亮", description="声控灯坏了")
    register(world, title="小区门口乱停车", description="堵住消防通道")
    register(world, title="楼道灯坏了", node=world.dwelling_b, actor=world.grid_worker_b)  # grid B
    found = duplicates.similar_open(user=world.secretary, node=world.dwelling_a2, text="楼道灯不亮 声控灯坏")
    assert [m.appeal for m in found] == [first]
    assert found[0].same_building and found[0].percent >= 40
    # Outside the window, closed, or invisible to the user: not suggested.
    Appeal.objects.filter(pk=first.pk).update(registered_at=timezone.now() - datetime.timedelta(days=40))
    assert (
        duplicates.similar_open(user=world.secretary, node=world.dwelling_a2, text="楼道灯不亮 声控灯坏")
        == []
    )


def test_similar_fragment_on_intake(world, login):
    register(world, title="1单元楼道灯不亮")
    client = login(world.grid_worker_a)
    page = client.get(
        "/appeals/similar/", {"place": str(world.dwelling_a2.public_id), "title": "楼道灯不亮了"}
    ).content.decode()
    assert "1单元楼道灯不亮" in page
    assert (
        "1单元楼道灯不亮"
        not in login(world.grid_worker_b)
        .get("/appeals/similar/", {"place": str(world.dwelling_a2.public_id), "title": "楼道灯不亮了"})
        .content.decode()
    )


def test_merge_through_the_page(world, login):
    first = register(world, title="楼道灯不亮")
    second = register(world, title="楼道灯又不亮", reporter_name="乙")
    response = login(world.secretary).post(
        f"/appeals/{second.public_id}/act/merge/",
        {"merge-into": str(first.public_id), "merge-note": "同一问题"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    page = login(world.secretary).get(f"/appeals/{first.public_id}/").content.decode()
    assert "乙" in page  # the merged reporter is one of this appeal's reporters


# --- rating links --------------------------------------------------------------------------------


def test_rating_link_works_once_and_only_for_its_appeal(world, client):
    appeal = closed(world)
    other = closed(world, title="另一个诉求")
    token = rating.make_token(appeal)
    page = client.get(f"/board/rate/{token}/")
    assert page.status_code == 200 and appeal.title in page.content.decode()
    assert other.title not in page.content.decode()
    response = client.post(f"/board/rate/{token}/", {"rating": "satisfied", "comment": "很快"})
    assert response.status_code == 200 and 'data-testid="rate-done"' in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.RATED and appeal.rating_comment == "很快"
    assert client.get(f"/board/rate/{token}/").status_code == 410  # used
    assert client.post(f"/board/rate/{token}/", {"rating": "dissatisfied"}).status_code == 410
    other.refresh_from_db()
    assert other.status == Status.CLOSED  # untouched
    assert client.get(f"/board/rate/{token[:-2]}xx/").status_code == 410  # tampered


def test_dissatisfied_by_link_is_rework_and_the_old_link_dies(world, client):
    appeal = closed(world)
    token = rating.make_token(appeal)
    client.post(f"/board/rate/{token}/", {"rating": "dissatisfied", "comment": "灯还是不亮"})
    appeal.refresh_from_db()
    assert appeal.status == Status.HANDLING and appeal.rework_count == 1
    appeal = services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="换了线路")
    assert client.get(f"/board/rate/{token}/").status_code == 410  # the link of the first close
    assert client.get(f"/board/rate/{rating.make_token(appeal)}/").status_code == 200


def test_rating_link_expires(world, settings, monkeypatch):
    import time

    from django.core import signing

    appeal = closed(world)
    settings.LINLI_APPEAL_RATING_DAYS = 1
    real = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: real - 2 * 86400)  # signed two days ago
    token = rating.make_token(appeal)
    monkeypatch.setattr(signing.time, "time", lambda: real)
    assert rating.appeal_for_token(token) is None
    assert rating.appeal_for_token(rating.make_token(appeal)) == appeal


# --- the public board ----------------------------------------------------------------------------


def _closed_with_photos(world, **extra):
    appeal = handling(world, photos=[png("before.png")], **extra)
    return services.appeal_close(
        actor=world.grid_worker_a,
        appeal=appeal,
        result="已为翟大爷更换101室门口的灯，电话13890476521",
        photos=[png("after.png")],
    )


def test_board_is_public_and_anonymised(world, client):
    appeal = _closed_with_photos(world, title="翟大爷反映101室门口楼道灯不亮")
    services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1)
    page = client.get(f"/board/{world.community.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="board-item"' in text and "楼道灯不亮" in text
    for secret in ("翟大爷", "13890476521", "101室", world.dwelling_a.name, "1单元"):
        assert secret not in text, secret
    assert "翟*爷" in text and "***室" in text
    assert "1号楼" in text  # down to the building
    assert "Satisfied" in text
    photos = AppealPhoto.objects.filter(appeal=appeal)
    for photo in photos:
        response = client.get(f"/board/photos/{photo.public_id}/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


def test_board_leaves_out_open_unpublished_and_private_appeals(world, client):
    register(world, title="还在办的诉求")
    hidden = _closed_with_photos(world, title="不公开的诉求")
    services.appeal_set_published(actor=world.secretary, appeal=hidden, published=False)
    private = handling(world, title="申请临时救助", category=services.Category.objects.get(code="assistance"))
    private = services.appeal_close(actor=world.grid_worker_a, appeal=private, result="已批")
    assert private.published is False  # a private category is not published by default
    text = client.get(f"/board/{world.community.public_id}/").content.decode()
    for title in ("还在办的诉求", "不公开的诉求", "申请临时救助"):
        assert title not in text
    photo = AppealPhoto.objects.filter(appeal=hidden).first()
    assert client.get(f"/board/photos/{photo.public_id}/").status_code == 404
    open_photo = AppealPhoto.objects.create(appeal=register(world), kind="before", content_type="image/png")
    assert client.get(f"/board/photos/{open_photo.public_id}/").status_code == 404


def test_board_of_another_community_does_not_show_ours(world, client):
    _closed_with_photos(world, title="新世纪的诉求")
    assert "新世纪的诉求" not in client.get(f"/board/{world.other_community.public_id}/").content.decode()
    assert client.get(f"/board/{world.grid_a.public_id}/").status_code == 404  # a grid is no community


def test_anonymise():
    assert board.anonymise("张三丰说 13800001111 住 301室", ["张三丰"]) == "张*丰说 ***** 住 ***室"


# --- practical projects --------------------------------------------------------------------------


def test_project_with_milestones_on_the_public_list(world, client):
    project = projects.project_create(
        actor=world.secretary,
        community=world.community,
        place=world.building_a,
        title="1号楼楼道照明改造",
        source="visit",
        lead_name="徐艳霞",
        lead_title="社区书记",
    )
    first = projects.milestone_add(actor=world.secretary, project=project, title="排查线路")
    projects.milestone_add(actor=world.secretary, project=project, title="更换灯具")
    projects.milestone_done(actor=world.secretary, milestone=first)
    project.refresh_from_db()
    assert project.progress == 50 and project.status == "in_progress"
    text = client.get(f"/board/{world.community.public_id}/projects/").content.decode()
    assert "1号楼楼道照明改造" in text and "徐艳霞" in text and 'value="50"' in text and "排查线路" in text
    with pytest.raises(services.PermissionDenied):
        projects.project_update(actor=world.grid_worker_a, project=project, progress=90)
    projects.project_update(actor=world.secretary, project=project, status="done")
    project.refresh_from_db()
    assert project.progress == 100 and project.completed_on is not None


def test_project_pages(world, login):
    client = login(world.secretary)
    response = client.post(
        "/appeals/projects/new/",
        {
            "community": str(world.community.public_id),
            "place_code": world.building_a.code,
            "title": "加装扶手",
            "source": "deliberation",
            "lead_name": "徐艳霞",
            "status": "planned",
            "progress": 0,
            "public": "on",
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    assert client.post(url + "milestones/", {"title": "采购", "due_on": "2026-12-01"}).status_code == 302
    page = client.get(url).content.decode()
    assert "加装扶手" in page and "采购" in page
    assert login(world.grid_worker_a).get(url).status_code == 200  # the building's grid sees it
    assert login(world.grid_worker_a).post(url + "update/", {"title": "x"}).status_code == 403
