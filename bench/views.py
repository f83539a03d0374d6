"""Baseline views for the benchmarks (bench.urls only).

bare_nodes: the JSON of GET /api/v1/territory/nodes with plain Django: no authentication,
no scoping, no django-ninja. What a list costs before Linli adds anything.

unscoped_api: the product's list endpoint exactly (same auth, pagination, schema,
select_related) minus `.restrict()`. The difference to the real endpoint is scoping alone.
"""

from django.http import JsonResponse
from ninja import NinjaAPI, Query
from ninja.pagination import LimitOffsetPagination, paginate

from linli.accounts.api import BearerAuth
from linli.territory.api import NodeFilter
from linli.territory.models import Node
from linli.territory.schemas import NodeOut


def bare_nodes(request):
    try:
        limit = max(1, min(int(request.GET.get("limit", 50)), 500))
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        return JsonResponse({"code": "validation_error"}, status=422)
    qs = Node.objects.filter(retired_at__isnull=True)
    if kind := request.GET.get("kind"):
        qs = qs.filter(kind=kind)
    items = [
        {
            "id": str(node.public_id),
            "kind": node.kind,
            "code": node.code,
            "name": node.name,
            "parent_id": str(node.parent.public_id) if node.parent_id else None,
            "depth": node.depth,
        }
        for node in qs.select_related("parent")[offset : offset + limit]
    ]
    # Same shape and key order as ninja's LimitOffsetPagination.
    return JsonResponse({"items": items, "count": qs.count()})


unscoped_api = NinjaAPI(
    title="Linli bench baselines",
    urls_namespace="bench_api",
    docs_url=None,
    openapi_url=None,
    auth=[BearerAuth()],
)


@unscoped_api.get("/nodes", response=list[NodeOut])
@paginate(LimitOffsetPagination)
def unscoped_nodes(request, filters: Query[NodeFilter]):
    qs = Node.objects.filter(retired_at__isnull=True)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.select_related("parent")
