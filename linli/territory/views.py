from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from linli.core.errors import ValidationFailed
from linli.core.scoping import get_scoped_or_404
from linli.territory import selectors, services
from linli.territory.forms import NodeCreateForm
from linli.territory.models import Node


@login_required
def index(request):
    nodes = selectors.top_nodes(user=request.user)
    return render(request, "territory/index.html", {"nodes": nodes})


@login_required
def node_detail(request, node_id):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    can_add = request.user.is_superuser or request.user.grants.allows("territory", "add", node.path)
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
    }
    return render(request, "territory/node.html", context)


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
