"""The audit page: who did what, where, when. Read-only, scoped, filterable, paginated.

Only people whose grants include ("audit", "view") and superusers reach it; for everyone
else it does not exist (404, DESIGN: "out of scope looks like missing").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from linli.core import selectors
from linli.core.audit import redact
from linli.core.models import AuditEntry

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Username contains")}),
    )
    record = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Type, id or name contains")}),
    )
    action = forms.CharField(label=_("Action"), required=False, widget=forms.Select)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = [("", _("All actions")), *((a, a) for a in actions)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return cleaned


@dataclass
class Change:
    field: str
    before: Any
    after: Any


def _changes(entry: AuditEntry) -> tuple[list[Change], dict[str, Any]]:
    """Before/after pairs and the extra values of a row, redacted again on the way out:
    rows written without record() must not show personal data either."""
    data = entry.changes if isinstance(entry.changes, dict) else {}
    before = redact(data.get("before") or {}) if isinstance(data.get("before"), dict) else {}
    after = redact(data.get("after") or {}) if isinstance(data.get("after"), dict) else {}
    extra = redact(data.get("extra") or {}) if isinstance(data.get("extra"), dict) else {}
    keys = list(dict.fromkeys([*before, *after]))
    return [Change(k, before.get(k), after.get(k)) for k in keys], extra


def _place_names(entries: list[AuditEntry]) -> dict[str, str]:
    """Node path -> the node's name, for the rows on this page (one query)."""
    from linli.territory.models import Node

    paths = {e.node_path for e in entries if e.node_path}
    return dict(Node.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}


@login_required
@require_GET
def audit_list(request):
    user = request.user
    if not selectors.can_view_audit(user):
        raise Http404
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_actions(user=user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.audit_entries_filtered(
        user=user,
        person=(filters.get("person") or "").strip(),
        record=(filters.get("record") or "").strip(),
        action=filters.get("action") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    places = _place_names(rows)
    for entry in rows:
        entry.change_list, entry.extra_values = _changes(entry)
        entry.place_name = places.get(entry.node_path, "")
    context = {"form": form, "page_obj": page, "rows": rows}
    # htmx swaps only the results; a history restore or a visit without JS gets the page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "core/audit_list.html#results" if partial else "core/audit_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
