"""Forms of the appeal pages. Choices (places, categories, handlers) are limited to what the
user may use, exactly as the services check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.appeals import routing, selectors
from linli.appeals.choices import (
    STAFF_SOURCES,
    LimitUnit,
    ProjectSource,
    ProjectStatus,
    Rating,
    Source,
    Status,
    Urgency,
)
from linli.appeals.models import Category
from linli.core.errors import OutOfScope
from linli.territory import coords
from linli.territory.models import Node


class DateInput(forms.DateInput):
    input_type = "date"


def category_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, str(c)) for c in selectors.categories()]


class CategoryField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=category_choices, required=False, label=_("Category"), **kwargs)

    def clean(self, value):
        code = super().clean(value)
        return Category.objects.filter(code=code, active=True).first() if code else None


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Came in through"), choices=[(s.value, s.label) for s in STAFF_SOURCES]
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("What the resident says"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    category = CategoryField()
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    place = forms.UUIDField(label=_("Place"), required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    crs = forms.ChoiceField(
        required=False,
        choices=[(c, coords.CRS_LABELS[c]) for c in coords.CRS_CHOICES],
        widget=forms.HiddenInput,
    )
    address = forms.CharField(label=_("Address as given"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=30, required=False)
    source_ref = forms.CharField(
        label=_("Ticket number (hotline)"),
        max_length=64,
        required=False,
        help_text=_("The same number twice is one appeal."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_place(self):
        value = self.cleaned_data.get("place")
        if not value:
            return None
        node = (
            Node.objects.restrict(self.user, "view").filter(public_id=value, retired_at__isnull=True).first()
        )
        if node is None:
            # Outside the user's area is the same as missing: a 404, not a form message.
            raise OutOfScope
        return node

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("place")
            and (cleaned.get("lng") is None or cleaned.get("lat") is None)
            and not self.errors
        ):
            raise forms.ValidationError(_("Choose the place, or use your location."))
        return cleaned


class StudyForm(forms.Form):
    category = CategoryField()
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    handler = forms.ChoiceField(label=_("Handled by"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assign = forms.BooleanField(label=_("Assign now"), required=False, initial=True)

    def __init__(self, *args, user, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = routing.handler_options(user, appeal)
        self.fields["handler"].choices = [(o.key, o.label) for o in self.options]
        default = appeal.handler_kind and next(
            (o.key for o in self.options if o.fields()["handler_kind"] == appeal.handler_kind), None
        )
        if not default:
            lowest = routing.default_handler(appeal)
            default = lowest.key if lowest else None
        self.initial.setdefault("handler", default)
        self.initial.setdefault("urgency", appeal.urgency)
        self.initial.setdefault("category", appeal.category.code if appeal.category else "")

    def handler_choice(self):
        key = self.cleaned_data["handler"]
        return next(o for o in self.options if o.key == key)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))
    published = forms.BooleanField(
        label=_("Show on the public board (anonymised)"), required=False, initial=True
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    amount = forms.IntegerField(label=_("More time"), min_value=1, max_value=60)
    unit = forms.ChoiceField(label=_("Counted in"), choices=LimitUnit.choices, initial=LimitUnit.DAYS)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PostponeForm(forms.Form):
    until = forms.DateField(label=_("Postpone until"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.UUIDField(label=_("Merge into"))
    note = forms.CharField(label=_("Note"), required=False)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("done", _("Closed")), *Status.choices],
    )
    alert = forms.ChoiceField(
        label=_("Clock"),
        required=False,
        choices=[("", _("Any")), ("late", _("Due soon or overdue")), ("overdue", _("Overdue"))],
    )
    category = CategoryField()
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any")), *Source.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    mine = forms.BooleanField(label=_("Handled by me"), required=False)

    def filters(self) -> selectors.AppealFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.AppealFilter(
            status=data.get("status") or "",
            alert=data.get("alert") or "",
            category=data.get("category"),
            source=data.get("source") or "",
            q=data.get("q") or "",
            mine=bool(data.get("mine")),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Ticket spreadsheet (.xlsx, .xls, .csv)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False, initial=True)


class ProjectForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"))
    place_code = forms.CharField(
        label=_("Place code (building or unit, optional)"), max_length=32, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label=_("Came from"), choices=ProjectSource.choices, initial=ProjectSource.VISIT
    )
    lead_name = forms.CharField(label=_("Led by (two-committee member)"), max_length=50)
    lead_title = forms.CharField(label=_("Their office"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.PLANNED
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    started_on = forms.DateField(label=_("Started"), required=False, widget=DateInput)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput)
    public = forms.BooleanField(label=_("Show on the public list"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        communities = Node.objects.restrict(user, "view").filter(kind="community", retired_at__isnull=True)
        allowed = [
            c for c in communities if user.is_superuser or user.grants.allows("appeal", "supervise", c.path)
        ]
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in allowed]

    def clean_community(self):
        value = self.cleaned_data["community"]
        node = Node.objects.restrict(self.user, "view").filter(public_id=value, kind="community").first()
        if node is None:
            raise OutOfScope
        return node

    def clean_place_code(self):
        code = self.cleaned_data.get("place_code", "").strip()
        if not code:
            return None
        node = Node.objects.restrict(self.user, "view").filter(code=code).first()
        if node is None:
            raise forms.ValidationError(_("No place with this code in your area."))
        return node


class ProjectUpdateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(label=_("Came from"), choices=ProjectSource.choices)
    lead_name = forms.CharField(label=_("Led by (two-committee member)"), max_length=50)
    lead_title = forms.CharField(label=_("Their office"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    started_on = forms.DateField(label=_("Started"), required=False, widget=DateInput)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput)
    public = forms.BooleanField(label=_("Show on the public list"), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120, required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput)
    done = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title") and not cleaned.get("done"):
            raise forms.ValidationError(_("Name the milestone."))
        return cleaned
