"""The appeals routes in the generic scoping test (linli/core/tests/test_scoping_routes.py).

linli/core/tests/scoping_cases.py calls appeal_cases(Case) and merges the result, so the
routes of this app are described next to it. Records: tests/scoping_fixtures.py (all in
grid A). Liaisons, building heads and the public board: tests/test_pages.py and
tests/test_board.py.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from linli.appeals.tests.scoping_fixtures import (
    APPEAL_A_TITLE,
    SIMILAR_A_TITLE,
    appeal_a,
    assigned_a,
    closed_a,
    extension_a,
    grid_a_key,
    handling_a,
    overdue_a,
    photo_a,
    postponed_a,
    project_a,
    similar_a,
    studied_a,
)

SEES = ["street_officer", "secretary", "grid_worker_a"]
UPPER = ["street_officer", "secretary"]
ALL = [*SEES, "grid_worker_b", "outsider"]


def _later(days: int = 5) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def appeal_cases(Case):  # noqa: N803 - the Case class is passed in to avoid a circular import
    pages = {
        "appeals:list": Case(
            url=lambda w: appeal_a(w) and "/appeals/",
            marker=lambda w: APPEAL_A_TITLE,
            denied=["grid_worker_b"],
            forbidden=["outsider"],
        ),
        "appeals:create": Case(
            url=lambda w: "/appeals/new/",
            method="post",
            data=lambda w: {
                "source": "window",
                "title": "新诉求",
                "urgency": "normal",
                "place": str(w.dwelling_a.public_id),
            },
            ok_status=302,
            denied=["grid_worker_b"],
            forbidden=["outsider"],
        ),
        "appeals:places": Case(
            url=lambda w: "/appeals/places/?find=第一网格", marker=lambda w: w.grid_a.code
        ),
        "appeals:similar": Case(
            url=lambda w: (
                similar_a(w) and f"/appeals/similar/?place={w.dwelling_a.public_id}&title=垃圾桶满溢无人清运"
            ),
            marker=lambda w: SIMILAR_A_TITLE,
        ),
        "appeals:supervision": Case(
            url=lambda w: overdue_a(w) and "/appeals/supervision/",
            marker=lambda w: "网格甲已交办",
            denied=["grid_worker_b"],
            forbidden=["outsider"],
        ),
        # The import form holds no data; each row is checked against the importer's area.
        "appeals:import": Case(
            url=lambda w: "/appeals/import/",
            allowed=[*SEES, "grid_worker_b"],
            denied=[],
            forbidden=["outsider"],
        ),
        "appeals:photo": Case(url=lambda w: f"/appeals/photos/{photo_a(w).public_id}/"),
        "appeals:detail": Case(
            url=lambda w: f"/appeals/{appeal_a(w).public_id}/", marker=lambda w: APPEAL_A_TITLE
        ),
        "appeals:act": Case(
            url=lambda w: f"/appeals/{assigned_a(w).public_id}/act/accept/", method="post", ok_status=302
        ),
        "appeals:reveal": Case(
            url=lambda w: f"/appeals/{appeal_a(w).public_id}/reveal/",
            method="post",
            data=lambda w: {"reason": "回访报告人核实情况"},
            marker=lambda w: "13800000011",
        ),
        "appeals:measures": Case(
            url=lambda w: appeal_a(w) and "/appeals/measures/",
            marker=lambda w: w.grid_a.name,
            denied=["grid_worker_b"],
            forbidden=["outsider"],
        ),
        "appeals:measures_node": Case(
            url=lambda w: appeal_a(w) and f"/appeals/measures/{w.community.public_id}/",
            marker=lambda w: w.grid_a.name,
            allowed=UPPER,
            denied=["grid_worker_a", "grid_worker_b", "outsider"],
        ),
        "appeals:measures_data": Case(
            url=lambda w: appeal_a(w) and f"/appeals/measures/{w.community.public_id}/data.json",
            marker=lambda w: w.grid_a.name,
            allowed=UPPER,
            denied=["grid_worker_a", "grid_worker_b", "outsider"],
        ),
        "appeals:projects": Case(
            url=lambda w: project_a(w) and "/appeals/projects/",
            marker=lambda w: "网格甲实事标记",
            denied=["grid_worker_b"],
            forbidden=["outsider"],
        ),
        "appeals:project_create": Case(
            url=lambda w: "/appeals/projects/new/",
            method="post",
            data=lambda w: {
                "community": str(w.community.public_id),
                "title": "新实事",
                "source": "visit",
                "lead_name": "徐艳霞",
                "status": "planned",
                "progress": 0,
            },
            ok_status=302,
            allowed=UPPER,
            # Creating projects needs "supervise" somewhere: the grid workers have none.
            forbidden=["grid_worker_a", "grid_worker_b", "outsider"],
            denied=[],
        ),
        "appeals:project": Case(
            url=lambda w: f"/appeals/projects/{project_a(w).public_id}/", marker=lambda w: "网格甲实事标记"
        ),
        "appeals:project_update": Case(
            url=lambda w: f"/appeals/projects/{project_a(w).public_id}/update/",
            method="post",
            data=lambda w: {
                "status": "in_progress",
                "progress": 40,
                "title": "网格甲实事标记",
                "lead_name": "徐艳霞",
                "source": "visit",
            },
            ok_status=302,
            allowed=UPPER,
            forbidden=["grid_worker_a"],
        ),
        "appeals:milestone_add": Case(
            url=lambda w: f"/appeals/projects/{project_a(w).public_id}/milestones/",
            method="post",
            data=lambda w: {"title": "采购灯具", "due_on": _later()},
            ok_status=302,
            allowed=UPPER,
            forbidden=["grid_worker_a"],
        ),
        "notices:inbox": Case(url=lambda w: "/notices/", allowed=ALL, denied=[]),
        "notices:read": Case(
            url=lambda w: "/notices/read/", method="post", allowed=ALL, denied=[], ok_status=302
        ),
    }
    api = {
        "api:list_appeals": Case(
            url=lambda w: appeal_a(w) and "/api/v1/appeals/", marker=lambda w: str(appeal_a(w).public_id)
        ),
        "api:register_appeal": Case(
            url=lambda w: "/api/v1/appeals/",
            method="post",
            data=lambda w: {"title": "新诉求", "place_id": str(w.dwelling_a.public_id)},
            ok_status=201,
        ),
        "api:hotline_ticket": Case(
            url=lambda w: "/api/v1/appeals/hotline",
            method="post",
            data=lambda w: {"ticket": "12345-T-1", "title": "热线工单", "place_code": w.dwelling_a.code},
            ok_status=201,
        ),
        "api:list_categories": Case(url=lambda w: "/api/v1/appeals/categories", allowed=ALL, denied=[]),
        "api:list_supervision": Case(
            url=lambda w: overdue_a(w) and "/api/v1/appeals/supervision",
            marker=lambda w: str(assigned_a(w).public_id),
        ),
        "api:get_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{appeal_a(w).public_id}",
            marker=lambda w: str(appeal_a(w).public_id),
        ),
        "api:list_handlers": Case(
            url=lambda w: f"/api/v1/appeals/{appeal_a(w).public_id}/handlers", marker=lambda w: grid_a_key(w)
        ),
        "api:list_similar": Case(
            url=lambda w: similar_a(w) and f"/api/v1/appeals/{appeal_a(w).public_id}/similar",
            marker=lambda w: str(similar_a(w).public_id),
        ),
        "api:study_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{appeal_a(w).public_id}/study",
            method="post",
            data=lambda w: {"handler": grid_a_key(w), "urgency": "normal"},
        ),
        "api:assign_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{studied_a(w).public_id}/assign", method="post"
        ),
        "api:accept_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/accept", method="post"
        ),
        "api:progress_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/progress",
            method="post",
            data=lambda w: {"note": "已联系物业"},
        ),
        "api:close_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{handling_a(w).public_id}/close",
            method="post",
            data=lambda w: {"result": "已清运"},
        ),
        "api:rate_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{closed_a(w).public_id}/rate",
            method="post",
            data=lambda w: {"rating": "satisfied"},
        ),
        "api:return_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/return",
            method="post",
            data=lambda w: {"reason": "派错网格"},
        ),
        "api:escalate_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/escalate", method="post"
        ),
        "api:request_extension": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/extension",
            method="post",
            data=lambda w: {"amount": 2, "unit": "days", "reason": "等待配件"},
            ok_status=201,
        ),
        # Decided one level up: the community and the street, not the grid itself.
        "api:decide_extension": Case(
            url=lambda w: f"/api/v1/appeals/{extension_a(w).public_id}/extension/decide",
            method="post",
            data=lambda w: {"approve": True},
            allowed=UPPER,
            forbidden=["grid_worker_a"],
        ),
        "api:postpone_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/postpone",
            method="post",
            data=lambda w: {"until": _later(), "reason": "待业委会表决"},
            allowed=UPPER,
            forbidden=["grid_worker_a"],
        ),
        "api:resume_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{postponed_a(w).public_id}/resume", method="post"
        ),
        "api:cancel_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{appeal_a(w).public_id}/cancel",
            method="post",
            data=lambda w: {"reason": "居民撤回"},
        ),
        "api:urge_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{assigned_a(w).public_id}/urge",
            method="post",
            data=lambda w: {"note": "请今天内回复"},
            allowed=UPPER,
            forbidden=["grid_worker_a"],
        ),
        "api:merge_appeal": Case(
            url=lambda w: f"/api/v1/appeals/{similar_a(w).public_id}/merge",
            method="post",
            data=lambda w: {"into": str(appeal_a(w).public_id)},
        ),
        "api:appeal_measures": Case(
            url=lambda w: appeal_a(w) and f"/api/v1/appeals/measures?place_id={w.grid_a.public_id}",
            marker=lambda w: w.grid_a.code,
        ),
    }
    public = {
        "appeals_public:rate": "a signed, single-use rating link for one closed appeal; no data without it",
        "appeals_public:board": "the public board (晒事): closed appeals, anonymised (tests/test_board.py)",
        "appeals_public:projects": "the public practical-projects list (为民办实事清单)",
        "appeals_public:photo": "photos of appeals shown on the public board only (tests/test_board.py)",
        "open311:services": "Open311 service list: the category tree, no data",
        "open311:service": "Open311 service definition: one category, no data",
        "open311:requests": "Open311 requests: anonymised public list; POST needs an API key (tests/test_open311.py)",
        "open311:request": "Open311 one request, anonymised (tests/test_open311.py)",
    }
    return pages, api, public
