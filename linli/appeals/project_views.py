"""Staff pages of the practical-projects list (为民办实事清单)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.appeals import board, forms, projects, selectors
from linli.appeals.models import Milestone, Project
from linli.core.errors import ValidationFailed
from linli.core.scoping import get_scoped_or_404


def _may_supervise(user, path: str) -> bool:
    return user.is_superuser or user.grants.allows("appeal", "supervise", path)


def _project(request, project_id) -> Project:
    return get_scoped_or_404(
        Project.objects.select_related("community", "node"),
        request.user,
        request=request,
        public_id=project_id,
    )


@login_required
@require_GET
def project_list(request):
    if not selectors.may_use_appeals(request.user):
        raise DjangoPermissionDenied
    items = list(selectors.projects_visible(user=request.user).select_related("community"))
    communities = {p.community for p in items}
    return render(
        request,
        "appeals/projects.html",
        {
            "projects": items,
            "communities": sorted(communities, key=lambda c: c.code),
            "can_create": selectors.may_supervise_somewhere(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not selectors.may_supervise_somewhere(request.user):
        raise DjangoPermissionDenied
    form = forms.ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = projects.project_create(
                    actor=request.user,
                    community=data["community"],
                    place=data["place_code"],
                    title=data["title"],
                    description=data["description"],
                    source=data["source"],
                    lead_name=data["lead_name"],
                    lead_title=data["lead_title"],
                    status=data["status"],
                    progress=data["progress"],
                    started_on=data["started_on"],
                    due_on=data["due_on"],
                    public=data["public"],
                    request=request,
                )
            except ValidationFailed as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Project created."))
                return redirect("appeals:project", project.public_id)
        return render(request, "appeals/project_form.html", {"form": form}, status=422)
    return render(request, "appeals/project_form.html", {"form": form})


def _detail(request, project: Project, update_form=None, milestone_form=None, status: int = 200):
    may = _may_supervise(request.user, project.community.path)
    initial = {f: getattr(project, f) for f in forms.ProjectUpdateForm.base_fields}
    context = {
        "project": project,
        "place": board.project_place(project),
        "milestones": list(project.milestones.all()),
        "can_change": may,
        "update_form": update_form or (forms.ProjectUpdateForm(initial=initial) if may else None),
        "milestone_form": milestone_form or (forms.MilestoneForm() if may else None),
    }
    return render(request, "appeals/project.html", context, status=status)


@login_required
@require_GET
def project_detail(request, project_id):
    return _detail(request, _project(request, project_id))


@login_required
@require_POST
def project_update(request, project_id):
    project = _project(request, project_id)
    if not _may_supervise(request.user, project.community.path):
        raise DjangoPermissionDenied
    form = forms.ProjectUpdateForm(request.POST)
    if form.is_valid():
        try:
            projects.project_update(actor=request.user, project=project, request=request, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Project updated."))
            return redirect("appeals:project", project.public_id)
    return _detail(request, project, update_form=form, status=422)


@login_required
@require_POST
def milestone_add(request, project_id):
    """Add a milestone, or mark one done (done=<its number>)."""
    project = _project(request, project_id)
    if not _may_supervise(request.user, project.community.path):
        raise DjangoPermissionDenied
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("done"):
                milestone = Milestone.objects.filter(project=project, pk=data["done"]).first()
                if milestone is None:
                    raise ValidationFailed(_("No such milestone."))
                projects.milestone_done(actor=request.user, milestone=milestone, request=request)
            else:
                projects.milestone_add(
                    actor=request.user,
                    project=project,
                    title=data["title"],
                    due_on=data["due_on"],
                    request=request,
                )
        except ValidationFailed as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("appeals:project", project.public_id)
    return _detail(request, project, milestone_form=form, status=422)
