"""为民办实事清单: the writes of practical projects and their milestones.

A project belongs to a community and is led (领办) by a two-committee member; it may come
from visits, from an appeal (a problem too large for one appeal, or shared by many) or
from deliberation. Creating and updating one is for those who supervise appeals in the
community (the secretary, two-committee members, the street).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.appeals.choices import ProjectSource, ProjectStatus
from linli.appeals.models import Appeal, Milestone, Project
from linli.core import audit
from linli.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from linli.core.scoping import ensure_in_scope
from linli.territory.choices import NodeKind
from linli.territory.models import Node


def _require_supervise(actor: User, path: str, seen_at: str | None = None) -> None:
    """Supervise on the community; else 403 for who sees the record (at `seen_at`), 404 for
    everyone else."""
    if actor.is_superuser or actor.grants.allows("appeal", "supervise", path):
        return
    if actor.grants.allows("appeal", "view", seen_at or path):
        raise PermissionDenied
    raise OutOfScope


def _clean(values: dict) -> dict:
    cleaned = dict(values)
    if "title" in cleaned:
        cleaned["title"] = " ".join((cleaned["title"] or "").split())[:120]
        if not cleaned["title"]:
            raise ValidationFailed(_("Give the project a title."), code="title_required", field="title")
    if "lead_name" in cleaned:
        cleaned["lead_name"] = " ".join((cleaned["lead_name"] or "").split())[:50]
        if not cleaned["lead_name"]:
            raise ValidationFailed(
                _("Name the two-committee member who leads it."), code="lead_required", field="lead_name"
            )
    if "progress" in cleaned:
        progress = cleaned["progress"]
        if not isinstance(progress, int) or not 0 <= progress <= 100:
            raise ValidationFailed(_("Progress is 0 to 100."), code="progress_invalid", field="progress")
    if "status" in cleaned and cleaned["status"] not in ProjectStatus.values:
        raise ValidationFailed(_("Unknown status."), code="status_invalid", field="status")
    if "source" in cleaned and cleaned["source"] not in ProjectSource.values:
        raise ValidationFailed(_("Unknown origin."), code="source_invalid", field="source")
    if cleaned.get("status") == ProjectStatus.DONE:
        cleaned["progress"] = 100
        cleaned.setdefault("completed_on", timezone.localdate())
    return cleaned


@transaction.atomic
def project_create(
    *,
    actor: User,
    community: Node,
    title: str,
    lead_name: str,
    source: str = ProjectSource.VISIT,
    place: Node | None = None,
    description: str = "",
    lead: User | None = None,
    lead_title: str = "",
    appeal: Appeal | None = None,
    status: str = ProjectStatus.PLANNED,
    progress: int = 0,
    started_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
    public: bool = True,
    request=None,
) -> Project:
    if community.kind != NodeKind.COMMUNITY:
        raise ValidationFailed(
            _("A project belongs to a community."), code="community_required", field="community"
        )
    _require_supervise(actor, community.path)
    if place is not None and not place.path.startswith(community.path):
        raise ValidationFailed(
            _("The place lies outside the community."), code="place_outside", field="place"
        )
    values = _clean(
        {"title": title, "lead_name": lead_name, "source": source, "status": status, "progress": progress}
    )
    project = Project.objects.create(
        community=community,
        node=place or community,
        description=(description or "").strip(),
        lead=lead,
        lead_title=(lead_title or "").strip()[:50],
        appeal=appeal,
        started_on=started_on,
        due_on=due_on,
        public=public,
        created_by=actor,
        **values,
    )
    ensure_in_scope(project, actor, "view")
    audit.record(actor=actor, action="project.create", target=project, request=request)
    return project


UPDATABLE = {
    "title",
    "description",
    "lead_name",
    "lead_title",
    "status",
    "progress",
    "started_on",
    "due_on",
    "public",
    "source",
}


@transaction.atomic
def project_update(*, actor: User, project: Project, request=None, **changes) -> Project:
    _require_supervise(actor, project.community.path, project.node.path)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    values = _clean(changes)
    if values.get("status") != ProjectStatus.DONE and "status" in values:
        values["completed_on"] = None
    for field, value in values.items():
        setattr(project, field, value)
    project.save()
    audit.record(
        actor=actor,
        action="project.update",
        target=project,
        after={"status": project.status, "progress": project.progress},
        request=request,
    )
    return project


@transaction.atomic
def milestone_add(
    *, actor: User, project: Project, title: str, due_on: datetime.date | None = None, request=None
) -> Milestone:
    _require_supervise(actor, project.community.path, project.node.path)
    title = " ".join((title or "").split())[:120]
    if not title:
        raise ValidationFailed(_("Name the milestone."), code="title_required", field="title")
    sort = (project.milestones.order_by("-sort").values_list("sort", flat=True).first() or 0) + 1
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on, sort=sort)
    audit.record(
        actor=actor,
        action="project.milestone_add",
        target=project,
        after={"milestone": title},
        request=request,
    )
    return milestone


@transaction.atomic
def milestone_done(
    *, actor: User, milestone: Milestone, done_on: datetime.date | None = None, note: str = "", request=None
) -> Milestone:
    project = milestone.project
    _require_supervise(actor, project.community.path, project.node.path)
    milestone.done_on = done_on or timezone.localdate()
    milestone.note = (note or "").strip()[:300]
    milestone.save(update_fields=["done_on", "note"])
    # Progress follows the milestones when the project has any: done / all.
    total = project.milestones.count()
    done = project.milestones.filter(done_on__isnull=False).count()
    if total:
        project.progress = max(project.progress, round(100 * done / total))
        if project.status == ProjectStatus.PLANNED:
            project.status = ProjectStatus.IN_PROGRESS
        project.save(update_fields=["progress", "status"])
    audit.record(
        actor=actor,
        action="project.milestone_done",
        target=project,
        after={"milestone": milestone.title},
        request=request,
    )
    return milestone
