"""Appeal pages for staff: parse → scoped fetch → service → render.

The detail page shows exactly the actions workflow.allowed_actions() gives for the user and
the appeal's status; every action posts to one view (appeal_act) that calls the service,
which checks again. A refused action (someone else was quicker) comes back as a message
with HTTP 409.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.appeals import duplicates, forms, hotline, selectors, services, workflow
from linli.appeals.choices import ExtensionState, HandlerKind, PhotoKind, Status
from linli.appeals.models import Appeal, AppealPhoto
from linli.core.errors import Conflict, ValidationFailed
from linli.core.masking import mask_phone
from linli.core.reveal import may_reveal, reveal_field
from linli.core.scoping import get_scoped_or_404
from linli.territory.models import Node

DETAIL_SELECT = (*selectors.LIST_SELECT, "handler_department__node", "merged_into", "created_by")


def _appeal(request, appeal_id, action: str = "view") -> Appeal:
    return get_scoped_or_404(
        Appeal.objects.select_related(*DETAIL_SELECT),
        request.user,
        action,
        request=request,
        public_id=appeal_id,
    )


def _form_errors(form, exc: ValidationFailed) -> None:
    errors = getattr(exc, "errors", None) or {exc.field or "": str(exc.message)}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _require_appeals(request) -> None:
    if not selectors.may_use_appeals(request.user):
        raise DjangoPermissionDenied


# --- list, supervision ---------------------------------------------------------------------------

LIST_LIMIT = 50


def _list_context(request, queryset, form=None) -> dict:
    total = queryset.count()
    appeals = list(queryset[:LIST_LIMIT])
    for appeal in appeals:
        appeal.clock = selectors.clock(appeal)
    return {"appeals": appeals, "total": total, "limit": LIST_LIMIT, "form": form}


@login_required
@require_GET
def appeal_list(request):
    _require_appeals(request)
    form = forms.FilterForm(request.GET or None)
    queryset = selectors.appeal_search(
        user=request.user, filters=form.filters() if form.is_bound else selectors.AppealFilter(status="open")
    )
    context = _list_context(request, queryset, form)
    context["can_register"] = selectors.may_register_somewhere(request.user)
    if request.htmx:
        return render(request, "appeals/list.html#results", context)
    return render(request, "appeals/list.html", context)


@login_required
@require_GET
def supervision(request):
    _require_appeals(request)
    context = _list_context(request, selectors.supervision(user=request.user))
    return render(request, "appeals/supervision.html", context)


# --- intake ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request):
    if not selectors.may_register_somewhere(request.user):
        raise DjangoPermissionDenied
    form = forms.IntakeForm(request.POST or None, user=request.user)
    context = {"form": form, "chosen": None, "chosen_list": [], "similar": []}
    if request.method == "POST":
        chosen = form.cleaned_data.get("place") if form.is_valid() else None
        if chosen is not None:
            chosen.label = selectors.place_labels([chosen])[chosen.pk]
            context.update(chosen=chosen, chosen_list=[chosen])
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal, created = services.appeal_register(
                    actor=request.user,
                    source=data["source"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    urgency=data["urgency"],
                    node=data["place"],
                    lng=data["lng"],
                    lat=data["lat"],
                    crs=data["crs"] or "wgs84",
                    address=data["address"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    source_ref=data["source_ref"],
                    photos=request.FILES.getlist("photos"),
                    request=request,
                )
            except (ValidationFailed, Conflict) as exc:
                _form_errors(form, exc)
            else:
                if created:
                    messages.success(request, _("Appeal registered."))
                else:
                    messages.info(request, _("This ticket was registered before: here it is."))
                return redirect("appeals:detail", appeal.public_id)
        return render(request, "appeals/intake.html", context, status=422)
    return render(request, "appeals/intake.html", context)


@login_required
@require_GET
def place_search(request):
    """Places the user may register appeals at, matching the words typed (htmx fragment)."""
    find = request.GET.get("find", "").strip()[:60]
    places = selectors.place_search(user=request.user, text=find) if find else []
    return render(request, "appeals/_places.html", {"places": places, "find": find})


@login_required
@require_GET
def similar(request):
    """Open appeals like the one being typed (htmx fragment on the intake form)."""
    place = request.GET.get("place", "")
    node = None
    if place:
        try:
            node = Node.objects.restrict(request.user, "view").filter(public_id=place).first()
        except (ValueError, Exception):  # noqa: BLE001 - a malformed id names nothing
            node = None
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()[:2000]
    found = duplicates.similar_open(user=request.user, node=node, text=text) if node and text else []
    return render(request, "appeals/_similar.html", {"similar": found})


# --- detail and actions ----------------------------------------------------------------------------


ACTION_FORMS = {
    "study": forms.StudyForm,
    "assign": forms.NoteForm,
    "accept": forms.NoteForm,
    "progress": forms.NoteForm,
    "close": forms.CloseForm,
    "rate": forms.RateForm,
    "return": forms.ReasonForm,
    "escalate": forms.NoteForm,
    "request_extension": forms.ExtensionForm,
    "decide_extension": forms.DecideForm,
    "postpone": forms.PostponeForm,
    "resume": forms.NoteForm,
    "cancel": forms.ReasonForm,
    "urge": forms.RequiredNoteForm,
    "merge": forms.MergeForm,
}


def _action_form(action: str, request, appeal: Appeal, data=None):
    form_class = ACTION_FORMS[action]
    if form_class is forms.StudyForm:
        return form_class(data, user=request.user, appeal=appeal, prefix=action)
    if form_class is forms.CloseForm:
        public = appeal.category is None or appeal.category.public
        return form_class(data, prefix=action, initial={"published": public})
    return form_class(data, prefix=action)


def _detail_context(request, appeal: Appeal, bound: dict | None = None) -> dict:
    bound = bound or {}
    allowed = workflow.allowed_actions(appeal, request.user)
    if (
        appeal.status in workflow.STEPS["merge"].sources
        and workflow.refusal(appeal, "merge", request.user) is None
    ):
        allowed.append("merge")
    action_forms = [
        (action, workflow.STEPS[action].label, bound.get(action) or _action_form(action, request, appeal))
        for action in allowed
    ]
    photos = list(appeal.photos.all())
    return {
        "appeal": appeal,
        "place_label": selectors.place_labels([appeal.node])[appeal.node.pk],
        "clock": selectors.clock(appeal),
        "timeline": selectors.timeline(appeal=appeal),
        "before_photos": [p for p in photos if p.kind == PhotoKind.BEFORE],
        "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
        "action_forms": action_forms,
        "photo_actions": {"progress", "close"},
        "reporters": [
            {"name": a.reporter_name, "phone": mask_phone(a.reporter_phone), "appeal": a}
            for a in services.reporters_of(appeal)
        ],
        "can_reveal": bool(appeal.reporter_phone) and may_reveal(request.user, appeal),
        "pending_extension": appeal.extensions.filter(state=ExtensionState.PENDING).first(),
        "similar": duplicates.similar_for(appeal=appeal, user=request.user) if "merge" in allowed else [],
        "HandlerKind": HandlerKind,
        "Status": Status,
    }


@login_required
@require_GET
def appeal_detail(request, appeal_id):
    appeal = _appeal(request, appeal_id)
    return render(request, "appeals/detail.html", _detail_context(request, appeal))


@login_required
@require_POST
def appeal_act(request, appeal_id, action):
    if action not in ACTION_FORMS:
        raise Http404
    appeal = _appeal(request, appeal_id)
    form = _action_form(action, request, appeal, request.POST)
    status = 422
    if form.is_valid():
        try:
            _run(action, request, appeal, form.cleaned_data, form)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            status = 409
        else:
            return redirect("appeals:detail", appeal.public_id)
    appeal = _appeal(request, appeal_id)
    context = _detail_context(request, appeal, bound={action: form} if status == 422 else None)
    context["open_action"] = action
    return render(request, "appeals/detail.html", context, status=status)


def _run(action: str, request, appeal: Appeal, data: dict, form) -> None:
    actor, photos = request.user, request.FILES.getlist(f"{action}-photos")
    common = {"actor": actor, "appeal": appeal, "request": request}
    if action == "study":
        services.appeal_study(
            **common,
            category=data["category"],
            urgency=data["urgency"],
            handler=form.handler_choice(),
            note=data["note"],
            assign=data["assign"],
        )
    elif action == "assign":
        services.appeal_assign(**common, note=data["note"])
    elif action == "accept":
        services.appeal_accept(**common, note=data["note"])
    elif action == "progress":
        services.appeal_progress(**common, note=data["note"], photos=photos)
    elif action == "close":
        services.appeal_close(**common, result=data["result"], photos=photos, published=data["published"])
    elif action == "rate":
        services.appeal_rate(**common, rating=data["rating"], comment=data["comment"])
    elif action == "return":
        services.appeal_return(**common, reason=data["reason"])
    elif action == "escalate":
        services.appeal_escalate(**common, note=data["note"])
    elif action == "request_extension":
        services.appeal_request_extension(
            **common, amount=data["amount"], unit=data["unit"], reason=data["reason"]
        )
    elif action == "decide_extension":
        services.appeal_decide_extension(**common, approve=data["approve"], note=data["note"])
    elif action == "postpone":
        services.appeal_postpone(**common, until=data["until"], reason=data["reason"])
    elif action == "resume":
        services.appeal_resume(**common, note=data["note"])
    elif action == "cancel":
        services.appeal_cancel(**common, reason=data["reason"])
    elif action == "urge":
        services.appeal_urge(**common, note=data["note"])
    elif action == "merge":
        into = get_scoped_or_404(Appeal, actor, "change", request=request, public_id=data["into"])
        services.appeal_merge(**common, into=into, note=data["note"])
    messages.success(request, _("Done: %(action)s.") % {"action": workflow.STEPS[action].label})


@login_required
@require_POST
def appeal_reveal(request, appeal_id):
    """The reporter's full phone number, with a reason and an audit row (htmx fragment)."""
    appeal = _appeal(request, appeal_id)
    if not may_reveal(request.user, appeal):
        raise DjangoPermissionDenied
    context = {"appeal": appeal, "error": ""}
    try:
        context["value"] = reveal_field(
            actor=request.user,
            obj=appeal,
            field="reporter_phone",
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationFailed as exc:
        context["error"] = str(exc.message)
        return render(request, "appeals/_reveal.html", context, status=422)
    return render(request, "appeals/_reveal.html", context)


@login_required
@require_GET
def photo(request, photo_id):
    item = get_scoped_or_404(
        AppealPhoto.objects.select_related("appeal"), request.user, request=request, public_id=photo_id
    )
    return _photo_response(item, private=True)


def _photo_response(item: AppealPhoto, *, private: bool) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response


# --- hotline spreadsheet import ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request):
    if not selectors.may_register_somewhere(request.user):
        raise DjangoPermissionDenied
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = hotline.import_tickets(
                actor=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                request=request,
            )
        except ValidationFailed as exc:
            form.add_error("file", str(exc.message))
    return render(request, "appeals/import.html", {"form": form, "report": report})


def detail_url(appeal: Appeal) -> str:
    return reverse("appeals:detail", args=[appeal.public_id])
