"""Pages for places that are not homes and for responsibilities: parse → scoped fetch →
service → render. Phones are masked everywhere; the node page's "Responsible people" card
is rendered by people_card_context() both inside the node page and after an htmx write."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from linli.core import errors
from linli.core.scoping import get_scoped_or_404
from linli.territory import coords, places_services, responsibility_services, selectors
from linli.territory.choices import NodeKind
from linli.territory.models import Node, Place, PlaceContact, PlaceKind, Responsibility
from linli.territory.places_forms import (
    AppointForm,
    AreaLeadForm,
    ContactForm,
    EndForm,
    PlaceFilterForm,
    PlaceForm,
)

PAGE_SIZE = 50


def _go(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _form_error(form, exc: errors.DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _may(user, action: str, node: Node) -> bool:
    return user.is_superuser or user.grants.allows("territory", action, node.path)


# --- places ---------------------------------------------------------------------------


@login_required
@require_GET
def place_list(request):
    form = PlaceFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    small = {"yes": True, "no": False}.get(filters.get("small_shop") or "")
    places = selectors.places_visible(
        user=request.user,
        kind=filters.get("kind") or None,
        node=filters.get("node"),
        small_shop=small,
        q=filters.get("q") or "",
    ).order_by("kind", "name", "pk")
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_add": request.user.is_superuser or bool(request.user.grants.paths("territory", "add")),
    }
    template = "territory/places.html#results" if request.htmx else "territory/places.html"
    return render(request, template, context)


def _place(request, place_id, action: str = "view") -> Place:
    return get_scoped_or_404(
        Place.objects.select_related("grid", "grid__parent"),
        request.user,
        action,
        request=request,
        public_id=place_id,
    )


def _location_in_entered_crs(place: Place) -> tuple[float, float] | None:
    if not place.has_location:
        return None
    crs = place.location_crs or coords.WGS84
    if crs == coords.WGS84:
        return place.lng, place.lat
    lng, lat = coords.from_wgs84(place.lng, place.lat, crs)
    return round(float(lng), 7), round(float(lat), 7)


@login_required
@require_GET
def place_detail(request, place_id):
    place = _place(request, place_id)
    return render(request, "territory/place.html", _detail_context(request, place))


def _detail_context(request, place: Place, contact_form: ContactForm | None = None) -> dict:
    can_change = place.retired_at is None and _may(request.user, "change", place.grid)
    return {
        "place": place,
        "contacts": list(place.contacts.all()),
        "can_change": can_change,
        "can_retire": place.retired_at is None and _may(request.user, "delete", place.grid),
        "contact_form": contact_form or (ContactForm() if can_change else None),
        "entered": _location_in_entered_crs(place),
        "entered_crs": coords.CRS_LABELS.get(place.location_crs or coords.WGS84, ""),
    }


def _place_values(form: PlaceForm) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "name": data["name"],
        "grid": data.get("grid"),
        "small_shop_kind": data.get("small_shop_kind") or "",
        "credit_code": data.get("credit_code") or "",
        "old_registration_number": data.get("old_registration_number") or "",
        "address": data.get("address") or "",
        "lng": data.get("lng"),
        "lat": data.get("lat"),
        "crs": data.get("crs") or coords.WGS84,
        "note": data.get("note") or "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def place_create(request):
    if not (request.user.is_superuser or request.user.grants.paths("territory", "add")):
        raise PermissionDenied
    if request.method == "POST":
        form = PlaceForm(request.POST, user=request.user, with_contact=True)
        if form.is_valid():
            data = form.cleaned_data
            contacts = []
            if (data.get("contact_name") or "").strip() or (data.get("contact_phone") or "").strip():
                contacts.append(
                    places_services.ContactData(
                        name=data.get("contact_name") or "",
                        role=data.get("contact_role") or "",
                        phone=data.get("contact_phone") or "",
                    )
                )
            try:
                place = places_services.place_create(
                    actor=request.user, contacts=contacts, request=request, **_place_values(form)
                )
            except (errors.ValidationFailed, errors.Conflict) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s has been recorded.") % {"name": place.name})
                return _go(request, reverse("territory:place", args=[place.public_id]))
        status = 422
    else:
        initial = {}
        grid_id = request.GET.get("grid")
        if grid_id:
            initial["grid"] = grid_id
        kind = request.GET.get("kind")
        if kind in PlaceKind.values:
            initial["kind"] = kind
        form = PlaceForm(initial=initial, user=request.user, with_contact=True)
        status = 200
    return render(request, "territory/place_form.html", {"form": form, "place": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request, place_id):
    place = _place(request, place_id)
    if place.retired_at is not None or not _may(request.user, "change", place.grid):
        raise PermissionDenied
    if request.method == "POST":
        form = PlaceForm(request.POST, user=request.user, action="change")
        if form.is_valid():
            try:
                place = places_services.place_update(
                    actor=request.user, place=place, request=request, **_place_values(form)
                )
            except (errors.ValidationFailed, errors.Conflict) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The changes have been saved."))
                return _go(request, reverse("territory:place", args=[place.public_id]))
        status = 422
    else:
        entered = _location_in_entered_crs(place)
        form = PlaceForm(
            initial={
                "kind": place.kind,
                "small_shop_kind": place.small_shop_kind,
                "name": place.name,
                "credit_code": place.credit_code,
                "old_registration_number": place.old_registration_number,
                "address": place.address,
                "lng": entered[0] if entered else None,
                "lat": entered[1] if entered else None,
                "crs": place.location_crs or coords.WGS84,
                "grid": place.grid.public_id,
                "note": place.note,
            },
            user=request.user,
            action="change",
        )
        status = 200
    return render(request, "territory/place_form.html", {"form": form, "place": place}, status=status)


@login_required
@require_POST
def place_retire(request, place_id):
    place = _place(request, place_id)
    try:
        places_services.place_retire(
            actor=request.user, place=place, reason=request.POST.get("reason", "")[:500], request=request
        )
    except errors.Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s has been retired.") % {"name": place.name})
    return _go(request, reverse("territory:place", args=[place.public_id]))


@login_required
@require_POST
def place_contact_add(request, place_id):
    place = _place(request, place_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            places_services.place_contact_add(
                actor=request.user,
                place=place,
                contact=places_services.ContactData(
                    name=form.cleaned_data["contact_name"],
                    role=form.cleaned_data.get("contact_role") or "",
                    phone=form.cleaned_data.get("contact_phone") or "",
                ),
                request=request,
            )
        except errors.ValidationFailed as exc:
            _form_error(form, exc)
        else:
            if request.htmx:
                return render(request, "territory/place.html#contacts", _detail_context(request, place))
            return redirect("territory:place", place_id=place.public_id)
    if not _may(request.user, "change", place.grid):
        raise PermissionDenied
    context = _detail_context(request, place, contact_form=form)
    template = "territory/place.html#contacts" if request.htmx else "territory/place.html"
    return render(request, template, context, status=422)


@login_required
@require_POST
def place_contact_remove(request, contact_id):
    contact = get_scoped_or_404(
        PlaceContact.objects.select_related("place"), request.user, request=request, public_id=contact_id
    )
    place = contact.place
    try:
        places_services.place_contact_remove(actor=request.user, contact=contact, request=request)
    except errors.Conflict as exc:
        messages.error(request, str(exc.message))
    if request.htmx:
        place = _place(request, place.public_id)
        return render(request, "territory/place.html#contacts", _detail_context(request, place))
    return redirect("territory:place", place_id=place.public_id)


# --- responsibilities -----------------------------------------------------------------


def people_card_context(
    user,
    node: Node,
    *,
    form: AppointForm | None = None,
    area_form: AreaLeadForm | None = None,
    notices: list[str] | None = None,
) -> dict:
    """What the "Responsible people" card shows: the current holders and forms for those
    who may appoint; on a community, its members in charge (包片) and their grids."""
    can_appoint = node.retired_at is None and responsibility_services.may_appoint(user, node)
    duties = responsibility_services.duties_for(node)
    # 包片 is decided by the community itself (its grids' level above).
    is_community = node.kind == NodeKind.COMMUNITY
    may_assign_area = (
        is_community
        and node.retired_at is None
        and (user.is_superuser or user.grants.allows("territory", "change", node.path))
    )
    return {
        "node": node,
        "people": selectors.people_now(user=user, node=node) if duties else [],
        "duties": duties,
        "area_leads": selectors.area_leads(user=user, community=node) if is_community else [],
        "is_community": is_community,
        "appoint_form": form
        if form is not None
        else (AppointForm(actor=user, node=node) if can_appoint and duties else None),
        "end_form": EndForm() if can_appoint else None,
        "area_form": area_form
        if area_form is not None
        else (AreaLeadForm(actor=user, community=node) if may_assign_area else None),
        "notices": notices or [],
        "today": timezone.localdate(),
    }


def _card(request, node: Node, status: int = 200, **extra):
    context = people_card_context(request.user, node, **extra)
    if request.htmx:
        return render(request, "territory/responsibility_card.html", context, status=status)
    return render(request, "territory/responsibility_form.html", context, status=status)


def _role_kept_notices(rows: list[Responsibility]) -> list[str]:
    return [
        _(
            "%(name)s's account keeps its role: it is the account's only one. Disable the account "
            "or give it another role in account administration."
        )
        % {"name": row.person_name}
        for row in rows
    ]


@login_required
@require_POST
def responsibility_appoint(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    if not responsibility_services.may_appoint(request.user, node):
        raise PermissionDenied
    form = AppointForm(request.POST, actor=request.user, node=node)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = responsibility_services.responsibility_appoint(
                actor=request.user,
                node=node,
                duty=data["duty"],
                user=data.get("user"),
                person_name=data.get("person_name") or "",
                phone=data.get("phone") or "",
                employment=data.get("employment") or "",
                org_kind=data.get("org_kind") or "",
                org_name=data.get("org_name") or "",
                started_on=data.get("started_on"),
                request=request,
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            _form_error(form, exc)
        except errors.PermissionDenied as exc:
            if not exc.field:
                raise
            _form_error(form, exc)
        else:
            notices = _role_kept_notices(row.succeeded_role_kept)
            if request.htmx:
                return _card(request, node, notices=notices)
            for notice in notices:
                messages.warning(request, notice)
            messages.success(request, _("%(name)s has been appointed.") % {"name": row.person_name})
            return redirect("territory:node", node_id=node.public_id)
    return _card(request, node, status=422, form=form)


@login_required
@require_POST
def responsibility_end(request, responsibility_id):
    row = get_scoped_or_404(
        Responsibility.objects.select_related("node"),
        request.user,
        request=request,
        public_id=responsibility_id,
    )
    node = row.node
    if not responsibility_services.may_appoint(request.user, node):
        raise PermissionDenied
    form = EndForm(request.POST)
    notices: list[str] = []
    if form.is_valid():
        try:
            row = responsibility_services.responsibility_end(
                actor=request.user,
                responsibility=row,
                ended_on=form.cleaned_data.get("ended_on"),
                reason=form.cleaned_data.get("reason") or "",
                request=request,
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            notices.append(str(exc.message))
        else:
            if row.role_kept:
                notices.extend(_role_kept_notices([row]))
    else:
        notices.extend(str(e) for field_errors in form.errors.values() for e in field_errors)
    if request.htmx:
        return _card(request, node, notices=notices)
    for notice in notices:
        messages.warning(request, notice)
    return redirect("territory:node", node_id=node.public_id)


@login_required
@require_POST
def area_lead_assign(request, node_id):
    community = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    if community.kind != NodeKind.COMMUNITY:
        raise PermissionDenied
    context = people_card_context(request.user, community)
    if context["area_form"] is None:
        raise PermissionDenied
    form = AreaLeadForm(request.POST, actor=request.user, community=community)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = responsibility_services.area_lead_assign(
                actor=request.user,
                grids=data["grids"],
                user=data.get("user"),
                person_name=data.get("person_name") or "",
                phone=data.get("phone") or "",
                started_on=data.get("started_on"),
                request=request,
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            _form_error(form, exc)
        else:
            if request.htmx:
                return _card(request, community)
            messages.success(
                request,
                _("%(name)s is in charge of %(n)d grid(s).") % {"name": rows[0].person_name, "n": len(rows)},
            )
            return redirect("territory:node", node_id=community.public_id)
    return _card(request, community, status=422, area_form=form)


@login_required
@require_GET
def responsibility_history(request, node_id):
    """Every term at a place, current and ended; `on` answers "who was responsible then"."""
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    on = None
    raw = request.GET.get("on") or ""
    if raw:
        try:
            on = datetime.date.fromisoformat(raw)
        except ValueError:
            on = None
    if on is not None:
        rows = selectors.responsible_on(node, on, user=request.user, with_ancestors=True)
    else:
        rows = list(
            selectors.responsibilities_visible(user=request.user, node=node, status="all").order_by(
                "duty", "-started_on", "-pk"
            )
        )
    context = {"node": node, "rows": rows, "on": on, "raw_on": raw, "today": timezone.localdate()}
    template = (
        "territory/responsibility_history.html#rows"
        if request.htmx
        else "territory/responsibility_history.html"
    )
    return render(request, template, context)
