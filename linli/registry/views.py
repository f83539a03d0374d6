"""Registry pages: parse → scoped fetch → service → render. Personal values are masked in
every template; the full value only comes back from the reveal endpoint."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from linli.core.errors import ValidationFailed
from linli.core.reveal import may_reveal, reveal_field
from linli.core.scoping import get_scoped_or_404
from linli.registry import selectors, services
from linli.registry.choices import PopulationType, TagKind
from linli.registry.forms import (
    ArchiveForm,
    HouseholdForm,
    MoveForm,
    ResidentEditForm,
    ResidentForm,
    RevealForm,
    SearchForm,
    TagEndForm,
    TagForm,
    resident_edit_initial,
)
from linli.registry.models import Household, Resident, ResidentTag
from linli.territory.choices import NodeKind
from linli.territory.models import Node

REVEALABLE = {"citizen_id", "phone"}
FIELD_LABELS = {
    "name": gettext_lazy("Full name"),
    "relation": gettext_lazy("Relation"),
    "citizen_id": gettext_lazy("Citizen ID number"),
    "birth_date": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "ethnicity": gettext_lazy("Ethnic group"),
    "phone": gettext_lazy("Phone"),
    "population_type": gettext_lazy("Population type"),
    "separation": gettext_lazy("Registration and home apart"),
    "workplace": gettext_lazy("Workplace or school"),
    "moved_in_on": gettext_lazy("Moved in on"),
    "note": gettext_lazy("Note"),
    "address": gettext_lazy("Address"),
    "status": gettext_lazy("Status"),
    "archive_reason": gettext_lazy("Archive reason"),
    "archived_on": gettext_lazy("Archived on"),
}


def _go(request, url: str):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _form_errors(form, exc: ValidationFailed) -> None:
    """Put a service's errors on the form fields they name (all of them, when there are several)."""
    errors = getattr(exc, "errors", None) or {exc.field or "": str(exc.message)}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _search_form(request, data):
    show_tags = request.user.is_superuser or bool(request.user.grants.paths("resident_tag", "view"))
    return SearchForm(data, user=request.user, show_tags=show_tags)


def _results_context(request, form) -> dict:
    try:
        qs = selectors.resident_search(user=request.user, params=form.params())
    except ValidationFailed:
        qs = Resident.objects.none()
    total = qs.count()
    residents = list(qs[: selectors.RESULT_LIMIT])
    for resident in residents:
        resident.address = selectors.address_label(resident.node)
    return {
        "form": form,
        "residents": residents,
        "total": total,
        "limit": selectors.RESULT_LIMIT,
        "can_add_household": selectors.may_add_household_somewhere(request.user),
        "can_export": request.user.is_superuser or bool(request.user.grants.paths("resident", "export")),
    }


@login_required
@require_GET
def resident_list(request):
    # Filters may travel in the URL; the search text never does (it can be an ID number):
    # it is sent by POST to registry:search.
    data = request.GET.copy()
    data.pop("q", None)
    form = _search_form(request, data if data else None)
    return render(request, "registry/residents.html", _results_context(request, form))


@login_required
@require_POST
def resident_search(request):
    form = _search_form(request, request.POST)
    context = _results_context(request, form)
    if request.htmx:
        return render(request, "registry/residents.html#results", context)
    if selectors.is_sensitive_query(request.POST.get("q", "")):
        # The whole page comes back (no JavaScript): do not write the ID or phone number
        # typed into the search box back into the page.
        data = request.POST.copy()
        data["q"] = ""
        context["form"] = _search_form(request, data)
    return render(request, "registry/residents.html", context)


def _resident(request, resident_id, action: str = "view") -> Resident:
    return get_scoped_or_404(
        Resident.objects.select_related(selectors.ADDRESS_SELECT, "household__householder"),
        request.user,
        action,
        request=request,
        public_id=resident_id,
    )


def _detail_context(request, resident: Resident) -> dict:
    user = request.user
    path = resident.scope_path()
    show_tags = selectors.may_view_tags(user, path)
    events = selectors.resident_timeline(user=user, resident=resident)
    return {
        "resident": resident,
        "address": selectors.address_label(resident.node),
        "can_change": resident.is_active and selectors.may_change_resident(user, path),
        "can_reveal": may_reveal(user, resident),
        "show_tags": show_tags,
        "can_set_tags": resident.is_active and selectors.may_set_tags(user, path),
        "tags": selectors.resident_tags(user=user, resident=resident) if show_tags else [],
        "tag_form": TagForm(),
        "timeline": _timeline(events),
        "reveal_form": RevealForm(),
    }


def _timeline(events) -> list[dict]:
    rows = []
    for event in events:
        changes = [
            {
                "label": FIELD_LABELS.get(c.get("field", ""), c.get("field", "")),
                "old": selectors.change_display(c.get("field", ""), c.get("old", "")),
                "new": selectors.change_display(c.get("field", ""), c.get("new", "")),
            }
            for c in event.changes
            if isinstance(c, dict)
        ]
        rows.append({"event": event, "changes": changes, "tag": event.tag})
    return rows


@login_required
@require_GET
def resident_detail(request, resident_id):
    resident = _resident(request, resident_id)
    return render(request, "registry/resident.html", _detail_context(request, resident))


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, resident_id):
    resident = _resident(request, resident_id)
    if not (resident.is_active and selectors.may_change_resident(request.user, resident.scope_path())):
        raise PermissionDenied
    if request.method == "POST":
        form = ResidentEditForm(request.POST, resident=resident)
        if form.is_valid():
            try:
                services.resident_update(
                    actor=request.user, resident=resident, request=request, **form.service_kwargs()
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return _go(request, reverse("registry:resident", args=[resident.public_id]))
        status = 422
    else:
        form = ResidentEditForm(initial=resident_edit_initial(resident), resident=resident)
        status = 200
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": resident, "editing": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request, household_id):
    household = get_scoped_or_404(
        Household.objects.select_related("dwelling", "householder"),
        request.user,
        request=request,
        public_id=household_id,
    )
    if not selectors.may_add_resident(request.user, household.dwelling.path):
        raise PermissionDenied
    if request.method == "POST":
        form = ResidentForm(request.POST)
        if form.is_valid():
            try:
                resident = services.resident_create(
                    actor=request.user, household=household, request=request, **form.service_kwargs()
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("%(name)s was registered.") % {"name": resident.name})
                return _go(request, reverse("registry:household", args=[household.public_id]))
        status = 422
    else:
        initial = {"population_type": PopulationType.REGISTERED}
        if household.householder_id is None:
            initial["relation"] = "02"
        form = ResidentForm(initial=initial)
        status = 200
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "household": household, "address": selectors.address_label(household.dwelling)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_move(request, resident_id):
    resident = _resident(request, resident_id)
    if not (resident.is_active and selectors.may_change_resident(request.user, resident.scope_path())):
        raise PermissionDenied
    find = request.GET.get("find", "")
    if request.method == "GET" and request.htmx and "find" in request.GET:
        return render(request, "registry/move.html#targets", _move_targets(request, find))
    form = MoveForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.resident_move(
                    actor=request.user,
                    resident=resident,
                    to_household=data.get("household"),
                    to_dwelling=data.get("dwelling") if not data.get("household") else None,
                    relation=data.get("relation") or None,
                    moved_in_on=data.get("moved_in_on"),
                    note=data.get("note") or "",
                    request=request,
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The move was recorded."))
                return _go(request, reverse("registry:resident", args=[resident.public_id]))
    context = {"form": form, "resident": resident, "address": selectors.address_label(resident.node)}
    context.update(_move_targets(request, find))
    return render(request, "registry/move.html", context, status=status)


def _move_targets(request, find: str) -> dict:
    find = find.strip()
    return {
        "find": find,
        "households": list(selectors.households_for_move(user=request.user, q=find)) if find else [],
        "dwellings": list(selectors.dwellings_for_household(user=request.user, q=find)) if find else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def resident_archive(request, resident_id):
    resident = _resident(request, resident_id)
    if not (resident.is_active and selectors.may_change_resident(request.user, resident.scope_path())):
        raise PermissionDenied
    form = ArchiveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.resident_archive(
                    actor=request.user,
                    resident=resident,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data.get("on"),
                    note=form.cleaned_data.get("note") or "",
                    request=request,
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The record was archived; it stays as history."))
                return _go(request, reverse("registry:resident", args=[resident.public_id]))
    return render(
        request,
        "registry/archive.html",
        {"form": form, "resident": resident, "address": selectors.address_label(resident.node)},
        status=status,
    )


@login_required
@require_POST
def resident_reveal(request, resident_id, field):
    """Returns the full value in place of the masked one (htmx), or the reason form again."""
    if field not in REVEALABLE:
        raise Http404
    resident = _resident(request, resident_id)
    if not may_reveal(request.user, resident):
        raise PermissionDenied
    form = RevealForm(request.POST)
    context = {"resident": resident, "field": field, "reveal_form": form}
    if form.is_valid():
        try:
            context["value"] = reveal_field(
                actor=request.user,
                obj=resident,
                field=field,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            return render(request, _reveal_template(request), context)
    return render(request, _reveal_template(request), context, status=422)


def _reveal_template(request) -> str:
    # htmx swaps the fragment in place; without JavaScript the form posts to a whole page.
    return "registry/_reveal.html" if request.htmx else "registry/reveal_page.html"


@login_required
@require_POST
def tag_set(request, resident_id):
    resident = _resident(request, resident_id)
    if not selectors.may_view_tags(request.user, resident.scope_path()):
        raise Http404
    if not selectors.may_set_tags(request.user, resident.scope_path()):
        raise PermissionDenied
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            services.tag_set(actor=request.user, resident=resident, request=request, **form.cleaned_data)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The tag was set."))
            return _go(request, reverse("registry:resident", args=[resident.public_id]))
    context = _detail_context(request, resident)
    context["tag_form"] = form
    if request.htmx:
        return render(request, "registry/resident.html#tag-form", context, status=422)
    return render(request, "registry/resident.html", context, status=422)


@login_required
@require_POST
def tag_end(request, tag_id):
    tag = get_scoped_or_404(
        ResidentTag.objects.select_related("resident__node"), request.user, request=request, public_id=tag_id
    )
    form = TagEndForm(request.POST)
    if form.is_valid():
        try:
            services.tag_end(
                actor=request.user,
                tag=tag,
                ended_on=form.cleaned_data.get("ended_on"),
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The tag was ended."))
    return _go(request, reverse("registry:resident", args=[tag.resident.public_id]))


@login_required
@require_GET
def household_detail(request, household_id):
    household = get_scoped_or_404(
        Household.objects.select_related("dwelling__parent__parent__parent", "householder"),
        request.user,
        request=request,
        public_id=household_id,
    )
    members = selectors.household_members(user=request.user, household=household)
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "address": selectors.address_label(household.dwelling),
            "members": members,
            "can_add": selectors.may_add_resident(request.user, household.dwelling.path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    if request.method == "POST" and request.POST.get("dwelling"):
        # A dwelling outside the user's area is a 404 (and a scope.denied row), as anywhere.
        get_scoped_or_404(
            Node.objects.filter(kind=NodeKind.DWELLING),
            request.user,
            request=request,
            public_id=request.POST["dwelling"],
        )
    if not selectors.may_add_household_somewhere(request.user):
        raise PermissionDenied
    find = request.GET.get("find", "")
    if request.method == "GET" and request.htmx and "find" in request.GET:
        return render(
            request,
            "registry/household_form.html#dwellings",
            {"dwellings": selectors.dwellings_for_household(user=request.user, q=find), "find": find},
        )
    initial_dwelling = None
    if request.method == "GET" and request.GET.get("dwelling"):
        initial_dwelling = get_scoped_or_404(
            Node.objects.filter(kind=NodeKind.DWELLING),
            request.user,
            request=request,
            public_id=request.GET["dwelling"],
        )
    form = HouseholdForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 422
        valid = form.is_valid()
        initial_dwelling = form.cleaned_data.get("dwelling")
        if valid:
            try:
                household = services.household_create(
                    actor=request.user,
                    dwelling=form.cleaned_data["dwelling"],
                    address_kind=form.cleaned_data["address_kind"],
                    number=form.cleaned_data.get("number") or "",
                    note=form.cleaned_data.get("note") or "",
                    request=request,
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The household was created; now add its members."))
                return _go(request, reverse("registry:resident_create", args=[household.public_id]))
    dwellings = selectors.dwellings_for_household(user=request.user, q=find) if find else []
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "find": find,
            "dwellings": dwellings,
            "chosen": initial_dwelling,
            "chosen_address": initial_dwelling and selectors.address_label(initial_dwelling),
        },
        status=status,
    )


@login_required
@require_GET
def dwelling_detail(request, node_id):
    dwelling = get_scoped_or_404(
        Node.objects.filter(kind=NodeKind.DWELLING).select_related("parent__parent__parent"),
        request.user,
        request=request,
        public_id=node_id,
    )
    if not selectors.may_view_stats(request.user, dwelling):
        raise Http404
    return render(
        request,
        "registry/dwelling.html",
        {
            "dwelling": dwelling,
            "address": selectors.address_label(dwelling),
            "households": selectors.households_in_dwelling(user=request.user, dwelling=dwelling),
            "can_add": request.user.is_superuser
            or request.user.grants.allows("household", "add", dwelling.path),
        },
    )


@login_required
@require_GET
def stats_index(request):
    nodes = list(selectors.stats_nodes(user=request.user))
    if len(nodes) == 1:
        return redirect("registry:stats_node", node_id=nodes[0].public_id)
    return render(request, "registry/stats_index.html", {"nodes": nodes})


@login_required
@require_GET
def stats_node(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    if not selectors.may_view_stats(request.user, node):
        raise Http404
    stats = selectors.registry_stats(user=request.user, node=node)
    return render(
        request,
        "registry/stats.html",
        {
            "stats": stats,
            "children": selectors.stats_children(user=request.user, node=node),
            "population_types": PopulationType.choices,
            "tag_kinds": TagKind.choices,
        },
    )


# --- spreadsheet import --------------------------------------------------------------------

IMPORT_ROOT_KINDS = [NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.DEDICATED_GRID, NodeKind.COMPOUND]


def _import_places(user):
    places = Node.objects.restrict(user, "view").filter(kind__in=IMPORT_ROOT_KINDS, retired_at__isnull=True)
    return [p for p in places[:500] if user.is_superuser or user.grants.allows("resident", "add", p.path)]


def _import_job(request, job_id, action: str = "view"):
    from linli.registry.models import ImportJob

    return get_scoped_or_404(
        ImportJob.objects.select_related("root", "created_by"),
        request.user,
        action,
        request=request,
        public_id=job_id,
    )


@login_required
@require_GET
def import_template(request):
    from django.http import HttpResponse

    from linli.registry.importing import template_bytes

    response = HttpResponse(
        template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%B1%85%E6%B0%91%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    from linli.registry.importing import import_job_create
    from linli.registry.models import ImportJob

    place = None
    if request.method == "POST":
        # A place outside the user's area is a 404 (and a scope.denied row), as anywhere.
        place = get_scoped_or_404(
            Node.objects.filter(kind__in=IMPORT_ROOT_KINDS),
            request.user,
            request=request,
            public_id=request.POST.get("place") or "-",
        )
    places = _import_places(request.user)
    if not places:
        raise PermissionDenied
    error = ""
    status = 200
    if place is not None:
        status = 422
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                job = import_job_create(
                    actor=request.user,
                    root=place,
                    filename=upload.name,
                    content=upload.read(),
                    request=request,
                )
            except ValidationFailed as exc:
                error = str(exc.message)
            else:
                return _go(request, reverse("registry:import_job", args=[job.public_id]))
    jobs = ImportJob.objects.restrict(request.user, "view").select_related("root")[:20]
    return render(
        request, "registry/import.html", {"places": places, "error": error, "jobs": jobs}, status=status
    )


def _preview(request, job):
    from linli.registry.importing import COLUMN_LABELS, COLUMNS, Planner, action_labels, read_job_sheet

    sheet = read_job_sheet(job)
    plans = Planner(actor=request.user, root=job.root, sheet=sheet).plan_all()
    return sheet, plans, COLUMN_LABELS, [c.key for c in COLUMNS if c.key in sheet.columns], action_labels()


@login_required
@require_GET
def import_job(request, job_id):
    from linli.registry.models import ImportStatus

    job = _import_job(request, job_id)
    context = {"job": job, "labels": FIELD_LABELS}
    if job.status == ImportStatus.UPLOADED:
        try:
            sheet, plans, column_labels, keys, actions = _preview(request, job)
        except ValidationFailed as exc:
            context["error"] = str(exc.message)
        else:
            counts: dict[str, int] = {}
            for plan in plans:
                counts[plan.action] = counts.get(plan.action, 0) + 1
            rows = [
                {
                    "plan": plan,
                    "cells": [{"value": plan.masked(k), "error": plan.errors.get(k, "")} for k in keys],
                    "other_errors": [
                        f"{FIELD_LABELS.get(k, k)}: {m}" for k, m in plan.errors.items() if k not in keys
                    ],
                    "action": actions.get(plan.action, plan.action),
                    "changes": [
                        {**c, "label": FIELD_LABELS.get(c["field"], c["field"])} for c in plan.changes
                    ],
                }
                for plan in plans
            ]
            context.update(
                mapping=[(column_labels[k], sheet_header) for k, sheet_header in _headers(sheet, keys)],
                unknown=sheet.unknown_headers,
                header_row=sheet.header_row,
                headers=[column_labels[k] for k in keys],
                rows=rows,
                counts={actions[a]: n for a, n in counts.items() if a in actions},
            )
    return render(request, "registry/import_job.html", context)


def _headers(sheet, keys):
    return [(k, sheet.columns[k] + 1) for k in keys]


@login_required
@require_GET
def import_report(request, job_id):
    from django.http import HttpResponse

    from linli.registry.importing import report_bytes

    job = _import_job(request, job_id)
    sheet, plans, *_rest = _preview(request, job)
    response = HttpResponse(
        report_bytes(sheet, plans),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.xlsx"'
    return response


@login_required
@require_POST
def import_run(request, job_id):
    from linli.registry.importing import import_job_start

    job = _import_job(request, job_id, "add")
    try:
        import_job_start(actor=request.user, job=job, request=request)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return _go(request, reverse("registry:import_job", args=[job.public_id]))


@login_required
@require_GET
def import_progress(request, job_id):
    job = _import_job(request, job_id)
    return render(request, "registry/import_job.html#progress", {"job": job})


@login_required
@require_POST
def import_cancel(request, job_id):
    from linli.registry.importing import import_job_cancel

    job = _import_job(request, job_id, "add")
    job = import_job_cancel(actor=request.user, job=job, request=request)
    if request.htmx:
        return render(request, "registry/import_job.html#progress", {"job": job})
    return redirect(reverse("registry:import_job", args=[job.public_id]))


# --- export --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    from django.http import HttpResponse

    from linli.registry.exporting import export_residents, may_export, may_export_full

    error = ""
    if request.method == "POST":
        place = get_scoped_or_404(
            Node.objects.exclude(kind=NodeKind.DWELLING),
            request.user,
            request=request,
            public_id=request.POST.get("place") or "-",
        )
        try:
            content, _count = export_residents(
                actor=request.user,
                place=place,
                full=request.POST.get("full") == "1",
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except ValidationFailed as exc:
            error = str(exc.message)
        else:
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = f'attachment; filename="residents-{place.code}.xlsx"'
            return response
    places = Node.objects.restrict(request.user, "view").filter(
        kind__in=IMPORT_ROOT_KINDS, retired_at__isnull=True
    )
    places = [p for p in places[:500] if may_export(request.user, p)]
    if not places:
        raise PermissionDenied
    full_allowed = any(may_export_full(request.user, p) for p in places)
    return render(
        request,
        "registry/export.html",
        {"places": places, "error": error, "full_allowed": full_allowed},
        status=422 if error else 200,
    )


# --- door-to-door census -------------------------------------------------------------------


@login_required
@require_GET
def census_building(request, node_id):
    from linli.registry.census import building_census, state_labels
    from linli.registry.models import CensusState

    building = get_scoped_or_404(
        Node.objects.filter(kind=NodeKind.BUILDING), request.user, request=request, public_id=node_id
    )
    labels = state_labels()
    rows = building_census(user=request.user, building=building)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return render(
        request,
        "registry/census_building.html",
        {
            "building": building,
            "address": selectors.address_label(building),
            "rows": [{"row": r, "label": labels[r.state]} for r in rows],
            "counts": [(labels[s], n) for s, n in counts.items()],
            "states": CensusState.choices,
        },
    )


@login_required
@require_POST
def census_visit(request, node_id):
    from linli.registry.census import census_record

    dwelling = get_scoped_or_404(
        Node.objects.filter(kind=NodeKind.DWELLING).select_related("parent__parent"),
        request.user,
        request=request,
        public_id=node_id,
    )
    try:
        census_record(
            actor=request.user,
            dwelling=dwelling,
            state=request.POST.get("state", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    building = dwelling.parent
    while building is not None and building.kind != NodeKind.BUILDING:
        building = building.parent
    return redirect(
        reverse("registry:census_building", args=[building.public_id]) + f"#d-{dwelling.public_id}"
    )


@login_required
@require_GET
def census_progress(request, node_id):
    from linli.registry.census import census_progress as progress
    from linli.registry.census import state_labels

    node = get_scoped_or_404(
        Node.objects.exclude(kind__in=[NodeKind.DWELLING, NodeKind.UNIT]),
        request.user,
        request=request,
        public_id=node_id,
    )
    labels = state_labels()
    lines = [
        {"p": p, "states": [(labels[s], n) for s, n in p.by_state.items()]}
        for p in progress(user=request.user, node=node)
    ]
    return render(request, "registry/census_progress.html", {"node": node, "lines": lines})
