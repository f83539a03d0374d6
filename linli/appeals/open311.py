"""Open311 GeoReport v2 at /open311/v2/ (CONTRACT.md), JSON format, one jurisdiction.

- GET services.json: the active categories (service_code = category code; group = the
  parent category); GET services/{code}.json: its definition (no extra attributes).
- POST requests.json: file an appeal. `api_key` is a Linli API token (POST
  /api/v1/auth/token) of an account that may register appeals where the request lies; the
  appeal is placed from lat/long (WGS-84) by locate, else from address_id (a territory
  code) or address_string. Idempotent: the same `attribute[client_request_id]` (or
  Idempotency-Key header) from the same client is the same request.
- GET requests.json and requests/{id}.json: the public, anonymised view of appeals (like
  the board): no name, phone or flat; the address to the building; coordinates rounded to
  about 100 m; private categories and unpublished appeals left out.

status is "open" or "closed" as the spec has it; Linli's own status (registered, assigned,
being handled, postponed, rated …) and the handler are in status_notes.
Errors are the spec's [{"code": <http status>, "description": "..."}].
"""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.db.models import Max, Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from linli.accounts.services import token_user
from linli.appeals import board, deadlines, selectors, services
from linli.appeals.choices import DONE_STATUSES, OPEN_STATUSES, HandlerKind, PhotoKind, Source, Status
from linli.appeals.models import Appeal, Category
from linli.core.errors import Conflict, DomainError
from linli.territory.models import Node

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
COORDINATE_DIGITS = 3  # ~100 m: a request is findable, a dwelling is not


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": str(description)}], status=status, safe=False)


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _categories():
    return Category.objects.filter(active=True).select_related("parent").order_by("sort", "code")


@require_GET
def services_list(request):
    return _json(
        [
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description or c.name,
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(c.keywords.split()),
                "group": c.parent.name if c.parent_id else c.name,
            }
            for c in _categories()
        ]
    )


@require_GET
def service_definition(request, code):
    if not Category.objects.filter(code=code, active=True).exists():
        return _error(404, _("No such service."))
    return _json({"service_code": code, "attributes": []})


# --- requests -------------------------------------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _absolute(path: str) -> str:
    return f"{settings.LINLI_PUBLIC_URL}{path}"


def _status_notes(appeal: Appeal) -> str:
    notes = f"{appeal.get_status_display()} ({appeal.status})"
    agency = _agency(appeal)
    if agency and appeal.status in OPEN_STATUSES:
        notes += f" · {agency}"
    if appeal.status == Status.CLOSED:
        notes += " · " + _("awaiting the reporter's rating")
    if appeal.rating:
        notes += f" · {appeal.get_rating_display()}"
    return notes


def _agency(appeal: Appeal) -> str:
    # A proxy handler is a person: the public only learns that the community handles it.
    if appeal.handler_kind == HandlerKind.PROXY:
        return appeal.grid.parent.name if appeal.grid_id and appeal.grid.parent_id else ""
    return appeal.handler_label()


def _public_request(appeal: Appeal, names: dict, updated: dict) -> dict:
    reporters = [appeal.reporter_name]
    photo = (
        next((p for p in appeal.photos.all() if p.kind in (PhotoKind.AFTER, PhotoKind.BEFORE)), None)
        if appeal.status in DONE_STATUSES
        else None
    )
    return {
        "service_request_id": str(appeal.public_id),
        "status": "open" if appeal.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(appeal),
        "service_name": appeal.category.name if appeal.category_id else "",
        "service_code": appeal.category.code if appeal.category_id else "",
        "description": board.anonymise(appeal.title, reporters),
        "agency_responsible": _agency(appeal),
        "service_notice": "",
        "requested_datetime": _iso(appeal.registered_at),
        "updated_datetime": _iso(updated.get(appeal.pk) or appeal.registered_at),
        "expected_datetime": _iso(appeal.handle_due_at) if appeal.status in OPEN_STATUSES else None,
        "address": board._public_place(appeal.node, names) or (appeal.grid.name if appeal.grid_id else ""),
        "address_id": appeal.grid.code if appeal.grid_id else "",
        "zipcode": "",
        "lat": round(appeal.lat, COORDINATE_DIGITS) if appeal.lat is not None else None,
        "long": round(appeal.lng, COORDINATE_DIGITS) if appeal.lng is not None else None,
        "media_url": _absolute(reverse("appeals_public:photo", args=[photo.public_id])) if photo else "",
    }


def _render(appeals: list[Appeal]) -> list[dict]:
    ids = {i for a in appeals for i in a.node.ancestor_ids()}
    names = {n.pk: (n.kind, n.name) for n in Node.objects.filter(pk__in=ids).only("pk", "kind", "name")}
    updated = dict(
        Appeal.objects.filter(pk__in=[a.pk for a in appeals])
        .annotate(last=Max("transitions__created_at"))
        .values_list("pk", "last")
    )
    return [_public_request(a, names, updated) for a in appeals]


def _public_appeals():
    return (
        Appeal.objects.filter(board.public_condition())
        .exclude(status=Status.MERGED)
        .select_related("node", "grid__parent", "category", "handler_node", "handler_department")
        .prefetch_related("photos")
    )


def _date_param(request, name: str) -> datetime.datetime | None:
    value = request.GET.get(name)
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(name)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(request):
    queryset = _public_appeals()
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        try:
            queryset = queryset.filter(public_id__in=ids)
        except Exception:  # noqa: BLE001 - malformed ids match nothing
            return _json([])
        appeals = list(queryset[:MAX_RESULTS])
        return _json(_render(appeals))
    try:
        start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    except ValueError as exc:
        return _error(400, _("%(p)s is not a date and time (ISO 8601).") % {"p": exc.args[0]})
    end = end or timezone.now()
    start = start or end - datetime.timedelta(days=DEFAULT_DAYS)
    queryset = queryset.filter(registered_at__gte=start, registered_at__lte=end)
    codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
    if codes:
        queryset = queryset.filter(Q(category__code__in=codes) | Q(category__parent__code__in=codes))
    status = request.GET.get("status", "").strip().lower()
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    return _json(_render(list(queryset.order_by("-registered_at")[:MAX_RESULTS])))


@csrf_exempt  # an API for other systems: the api_key authenticates, no browser session is used
@require_http_methods(["GET", "POST"])
def requests_view(request):
    with override(settings.LANGUAGE_CODE if request.method == "POST" else request.LANGUAGE_CODE):
        if request.method == "GET":
            return _list(request)
        return _create(request)


def _params(request) -> dict:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _float(value) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _create(request):
    data = _params(request)
    user = token_user(str(data.get("api_key") or "")) if data.get("api_key") else None
    if user is None or not user.is_active:
        return _error(403, _("A valid api_key is required to file a request."))
    category = Category.objects.filter(code=str(data.get("service_code") or ""), active=True).first()
    if category is None:
        return _error(400, _("service_code is missing or unknown."))
    try:
        lat, lng = _float(data.get("lat")), _float(data.get("long"))
    except (TypeError, ValueError):
        return _error(400, _("lat and long must be numbers."))
    node = None
    address = str(data.get("address_string") or "")[:200]
    if lat is None or lng is None:
        lat = lng = None
        if data.get("address_id"):
            node = Node.objects.restrict(user, "view").filter(code=str(data["address_id"])).first()
        elif address:
            node = selectors.place_for_address(user=user, address=address)
        if node is None:
            return _error(
                400, _("Give lat and long, an address_id or an address_string of a place in your area.")
            )
    reference = str(request.headers.get("Idempotency-Key") or data.get("attribute[client_request_id]") or "")[
        :56
    ]
    name = " ".join(str(data.get(k) or "") for k in ("last_name", "first_name")).strip()
    description = str(data.get("description") or "")
    try:
        appeal, created = services.appeal_register(
            actor=user,
            source=Source.OPEN311,
            # Per client: two clients may use the same request ids.
            source_ref=f"{user.pk}:{reference}" if reference else "",
            title=description[:40] or category.name,
            description=description,
            category=category,
            node=node,
            lng=lng,
            lat=lat,
            crs="wgs84",
            address=address,
            reporter_name=name[:50],
            reporter_phone=str(data.get("phone") or ""),
            request=request,
        )
    except Conflict as exc:
        return _error(409, exc.message)
    except DomainError as exc:
        status = 404 if exc.status == 404 else 403 if exc.status == 403 else 400
        return _error(status, exc.message)
    limits = deadlines.limits_for(appeal.category, appeal.urgency)
    notice = _("We respond within %(r)s and handle it within %(h)s.") % {
        "r": limits.response,
        "h": limits.handle,
    }
    return _json(
        [{"service_request_id": str(appeal.public_id), "service_notice": notice, "account_id": None}],
        status=201 if created else 200,
    )


@require_GET
def request_detail(request, request_id):
    try:
        appeal = _public_appeals().filter(public_id=request_id).first()
    except Exception:  # noqa: BLE001 - a malformed id names nothing
        appeal = None
    if appeal is None:
        return _error(404, _("No such request."))
    return _json(_render([appeal]))
