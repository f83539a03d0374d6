from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from linli.core.errors import ValidationFailed
from linli.core.scoping import get_scoped_or_404
from linli.territory import selectors, services, tree_import
from linli.territory.forms import NodeCreateForm, NodeMoveForm, NodeRenameForm
from linli.territory.models import Node


@login_required
def index(request):
    nodes = selectors.top_nodes(user=request.user)
    return render(request, "territory/index.html", {"nodes": nodes})


@login_required
def node_detail(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    grants = request.user.grants if not request.user.is_superuser else None
    can_add = grants is None or grants.allows("territory", "add", node.path)
    can_change = grants is None or grants.allows("territory", "change", node.path)
    can_retire = grants is None or grants.allows("territory", "delete", node.path)
    context = {
        "node": node,
        "ancestors": [
            a
            for a in selectors.ancestors(node=node)
            if request.user.is_superuser or request.user.grants.allows("territory", "view", a.path)
        ],
        "children": selectors.children_with_counts(user=request.user, node=node),
        "counts": selectors.subtree_counts(node=node),
        "can_add": can_add,
        "form": NodeCreateForm(parent=node) if can_add else None,
        "rename_form": NodeRenameForm(initial={"name": node.name}) if can_change else None,
        "move_form": NodeMoveForm(initial={"code": node.code}) if can_change and node.parent_id else None,
        "can_retire": can_retire and node.parent_id is not None and node.retired_at is None,
    }
    return render(request, "territory/node.html", context)


def _node_redirect(request, node):
    url = reverse("territory:node", args=[node.public_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_http_methods(["POST"])
def node_rename(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    form = NodeRenameForm(request.POST)
    if form.is_valid():
        try:
            services.node_rename(
                actor=request.user, node=node, name=form.cleaned_data["name"], request=request
            )
        except ValidationFailed as exc:
            form.add_error("name", str(exc.message))
        else:
            return _node_redirect(request, node)
    return render(request, "territory/node.html#rename-form", {"node": node, "rename_form": form}, status=422)


@login_required
@require_http_methods(["POST"])
def node_move(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    form = NodeMoveForm(request.POST)
    if form.is_valid():
        new_parent = (
            selectors.nodes_visible(user=request.user)
            .filter(code=form.cleaned_data["parent_code"].strip())
            .first()
        )
        if new_parent is None:
            form.add_error("parent_code", _("No place with this code in your area."))
        else:
            try:
                services.node_move(
                    actor=request.user,
                    node=node,
                    new_parent=new_parent,
                    new_code=form.cleaned_data["code"],
                    request=request,
                )
            except ValidationFailed as exc:
                form.add_error(exc.field if exc.field == "code" else "parent_code", str(exc.message))
            else:
                return _node_redirect(request, node)
    return render(request, "territory/node.html#move-form", {"node": node, "move_form": form}, status=422)


@login_required
@require_http_methods(["POST"])
def node_retire(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    try:
        services.node_retire(actor=request.user, node=node, request=request)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return _node_redirect(request, node)
    messages.success(request, _("%(name)s has been retired.") % {"name": node.name})
    return _node_redirect(request, node.parent)


@login_required
@require_http_methods(["POST"])
def node_add_child(request, node_id):
    parent = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    form = NodeCreateForm(request.POST, parent=parent)
    if form.is_valid():
        try:
            child = services.node_create(
                actor=request.user,
                parent=parent,
                request=request,
                **form.cleaned_data,
            )
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            if request.htmx:
                return HttpResponseClientRedirect(reverse("territory:node", args=[child.public_id]))
            return redirect("territory:node", node_id=child.public_id)
    return render(request, "territory/node.html#add-form", {"node": parent, "form": form}, status=422)


@login_required
def tree_import_page(request):
    """Upload the tree as a spreadsheet: check only, or import when every row is right."""
    report = None
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file first.")
        else:
            try:
                report = tree_import.tree_import(
                    actor=request.user,
                    upload=upload,
                    filename=upload.name,
                    dry_run="check" in request.POST,
                    request=request,
                )
            except ValidationFailed as exc:
                error = str(exc.message)
    template = "territory/tree_import.html#report" if request.htmx else "territory/tree_import.html"
    return render(
        request,
        template,
        {"report": report, "error": error},
        status=422 if (error or (report and report.errors)) else 200,
    )


@login_required
def tree_import_template(request):
    response = HttpResponse(
        tree_import.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''territory-template.xlsx"
    return response
