"""Measures pages: a table for the user's area over any period, and a community (or street)
page with ECharts trends and a ranking of its units. The charts read JSON from
measures_data; the tables are the same numbers without JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from linli.appeals import measures
from linli.appeals.forms import DateInput
from linli.core.errors import ValidationFailed
from linli.core.scoping import get_scoped_or_404
from linli.territory.choices import NodeKind
from linli.territory.models import Node


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)

    def period(self):
        data = self.cleaned_data if self.is_valid() else {}
        try:
            return measures.period(data.get("start"), data.get("end"))
        except ValidationFailed as exc:
            self.add_error("start", str(exc.message))
            return measures.period(None, None)


def _top_nodes(user) -> list[Node]:
    if user.is_superuser:
        return list(Node.objects.filter(kind=NodeKind.STREET, retired_at__isnull=True).order_by("code"))
    paths = user.grants.paths("appeal", "view")
    return list(Node.objects.filter(path__in=paths, retired_at__isnull=True).order_by("path"))


def _may_measure(user, node: Node) -> bool:
    return user.is_superuser or user.grants.allows("appeal", "view", node.path)


@login_required
@require_GET
def measures_index(request):
    tops = _top_nodes(request.user)
    if not tops:
        raise DjangoPermissionDenied
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    sections = []
    for node in tops:
        sections.append(
            {
                "node": node,
                "overall_rows": [(node, measures.measures(node, start, end))],
                "communities": measures.measures_by_unit(node, start, end)
                if node.kind in (NodeKind.STREET, NodeKind.DISTRICT)
                else [],
                "grids": measures.measures_by_grid(node, start, end),
                "chart": node.kind in (NodeKind.COMMUNITY, NodeKind.STREET, NodeKind.DISTRICT),
            }
        )
    return render(
        request, "appeals/measures.html", {"form": form, "sections": sections, "start": start, "end": end}
    )


def _node(request, node_id) -> Node:
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    if node.kind not in (NodeKind.COMMUNITY, NodeKind.STREET, NodeKind.DISTRICT):
        raise DjangoPermissionDenied
    if not _may_measure(request.user, node):
        raise DjangoPermissionDenied
    return node


@login_required
@require_GET
def measures_node(request, node_id):
    node = _node(request, node_id)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    units = measures.measures_by_unit(node, start, end)
    ranking = sorted(
        units, key=lambda pair: (pair[1].closure_rate is None, -(pair[1].closure_rate or 0), pair[0].code)
    )
    context = {
        "node": node,
        "form": form,
        "start": start,
        "end": end,
        "overall": measures.measures(node, start, end),
        "ranking": ranking,
        "data_url": f"{request.path}data.json?{request.GET.urlencode()}",
    }
    return render(request, "appeals/measures_node.html", context)


@login_required
@require_GET
def measures_data(request, node_id):
    """The numbers behind the charts: monthly trend (12 months) and the ranking."""
    node = _node(request, node_id)
    start, end = PeriodForm(request.GET or None).period()
    trend = measures.monthly(node)
    units = measures.measures_by_unit(node, start, end)
    return JsonResponse(
        {
            "node": {"name": node.name, "code": node.code},
            "labels": {
                "volume": _("Volume"),
                "closure_rate": _("Closure rate"),
                "on_time_rate": _("On-time closure rate"),
                "satisfaction_rate": _("Satisfaction rate"),
                "rework_rate": _("Rework rate"),
            },
            "trend": [{"month": month, **m.as_dict()} for month, m in trend],
            "ranking": [{"name": unit.name, "code": unit.code, **m.as_dict()} for unit, m in units],
        },
        json_dumps_params={"ensure_ascii": False},
    )
