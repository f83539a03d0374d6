"""Forms of the registry pages. They parse input; the services validate and decide.

Choice fields that name places or households are restricted to the user's grants, as
DESIGN.md asks: a form can never offer (or accept) a record outside the user's area.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.reveal import MIN_REASON_LENGTH
from linli.registry import selectors
from linli.registry.choices import (
    AddressKind,
    AgeBand,
    ArchiveReason,
    Ethnicity,
    PartyRelation,
    PopulationType,
    Relation,
    Separation,
    Sex,
    TagKind,
)
from linli.registry.models import Household
from linli.territory.choices import NodeKind
from linli.territory.models import Node


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _(
                    "Name, pinyin (zsf), ID number, phone, last four digits with a name, address"
                ),
            }
        ),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    age_band = forms.ChoiceField(
        label=_("Age"), required=False, choices=[("", _("All ages")), *AgeBand.choices]
    )
    population_type = forms.ChoiceField(
        label=_("Population type"), required=False, choices=[("", _("All types")), *PopulationType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("On the register")), ("archived", _("Off the register")), ("all", _("All"))],
    )

    def __init__(self, *args, user, show_tags: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.grids = {str(g.public_id): g for g in selectors.grids_visible(user=user)}
        self.fields["grid"].choices = [("", _("All grids"))] + [(k, g.name) for k, g in self.grids.items()]
        if show_tags:
            self.fields["tag"].choices = [("", _("All"))] + list(TagKind.choices)
        else:
            del self.fields["tag"]

    def params(self) -> selectors.SearchParams:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or "active"
        return selectors.SearchParams(
            q=data.get("q") or "",
            tag=data.get("tag") or "",
            grid=self.grids.get(data.get("grid") or ""),
            age_band=data.get("age_band") or "",
            population_type=data.get("population_type") or "",
            status="" if status == "all" else status,
        )


class DwellingField(forms.ModelChoiceField):
    """A dwelling by its public id, among those the user may add households to."""

    def __init__(self, *, user, **kwargs):
        queryset = Node.objects.filter(kind=NodeKind.DWELLING, retired_at__isnull=True)
        condition = selectors._under_paths(user, "household", "add", "path")
        if condition is not None:
            queryset = queryset.filter(condition)
        super().__init__(queryset=queryset, to_field_name="public_id", widget=forms.HiddenInput, **kwargs)


class HouseholdForm(forms.Form):
    dwelling = forms.Field(label=_("Dwelling"))
    address_kind = forms.ChoiceField(label=_("This address is the"), choices=AddressKind.choices)
    number = forms.CharField(label=_("Household register number"), required=False, max_length=32)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwelling"] = DwellingField(
            user=user,
            label=_("Dwelling"),
            error_messages={
                "required": _("Choose the dwelling."),
                "invalid_choice": _("Choose the dwelling."),
            },
        )


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the householder"), choices=Relation.choices)
    citizen_id = forms.CharField(
        label=_("Citizen ID number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
        help_text=_("Only without an ID number: the ID number gives the date of birth and the sex."),
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    ethnicity = forms.ChoiceField(label=_("Ethnic group"), choices=Ethnicity.choices, initial=Ethnicity.HAN)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    population_type = forms.ChoiceField(label=_("Population type"), choices=PopulationType.choices)
    separation = forms.ChoiceField(
        label=_("Registration and home apart"), required=False, choices=Separation.choices
    )
    workplace = forms.CharField(label=_("Workplace or school"), required=False, max_length=200)
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if (data.get("citizen_id") or "").strip():
            # The ID number decides date of birth and sex; the service checks any typed ones.
            if not data.get("birth_date"):
                data.pop("birth_date", None)
            if not data.get("sex"):
                data.pop("sex", None)
        return data


class ResidentEditForm(ResidentForm):
    """Edit: the ID number and phone are never sent back to the browser in full. Empty
    means "keep"; a tick removes the value."""

    citizen_id_clear = forms.BooleanField(label=_("Remove the ID number"), required=False)
    phone_clear = forms.BooleanField(label=_("Remove the phone number"), required=False)

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        from linli.core.masking import mask_citizen_id, mask_phone

        if resident.citizen_id:
            self.fields["citizen_id"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": mask_citizen_id(resident.citizen_id)
            }
        if resident.phone:
            self.fields["phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(resident.phone)
            }
        self.has_id = bool(resident.citizen_id)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        clear_id = data.pop("citizen_id_clear", False)
        clear_phone = data.pop("phone_clear", False)
        if clear_id:
            data["citizen_id"] = ""
        elif not (data.get("citizen_id") or "").strip():
            data.pop("citizen_id")
        if clear_phone:
            data["phone"] = ""
        elif not (data.get("phone") or "").strip():
            data.pop("phone")
        keeps_id = "citizen_id" not in data and self.has_id
        if keeps_id or (data.get("citizen_id") or "").strip():
            # Date of birth and sex come from the ID number.
            if not data.get("birth_date"):
                data.pop("birth_date", None)
            if not data.get("sex"):
                data.pop("sex", None)
            if keeps_id:
                data.pop("birth_date", None)
                data.pop("sex", None)
        return data


def resident_edit_initial(resident) -> dict:
    return {
        "name": resident.name,
        "relation": resident.relation,
        "birth_date": None if resident.citizen_id else resident.birth_date,
        "sex": "" if resident.citizen_id else resident.sex,
        "ethnicity": resident.ethnicity,
        "population_type": resident.population_type,
        "separation": resident.separation,
        "workplace": resident.workplace,
        "moved_in_on": resident.moved_in_on,
        "note": resident.note,
    }


class MoveForm(forms.Form):
    household = forms.Field(required=False)
    dwelling = forms.Field(required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the householder there"),
        required=False,
        choices=[("", _("Householder of a new household")), *Relation.choices],
    )
    moved_in_on = forms.DateField(label=_("Moved in on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        households = Household.objects.all()
        condition = selectors._under_paths(user, "resident", "add", "dwelling__path")
        if condition is not None:
            households = households.filter(condition)
        self.fields["household"] = forms.ModelChoiceField(
            queryset=households, to_field_name="public_id", required=False, widget=forms.HiddenInput
        )
        self.fields["dwelling"] = DwellingField(user=user, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("household") and not cleaned.get("dwelling") and not self.errors:
            raise forms.ValidationError(_("Choose a household or a dwelling to move to."))
        return cleaned


class ArchiveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ArchiveReason.choices)
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tag"), choices=TagKind.choices)
    subtype = forms.ChoiceField(
        label=_("Party member's organisation"), required=False, choices=[("", "—"), *PartyRelation.choices]
    )
    started_on = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the certificate or decision this rests on."),
    )


class TagEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full value?"),
        min_length=MIN_REASON_LENGTH,
        max_length=500,
        error_messages={
            "required": _("Give a reason."),
            "min_length": _("Give a reason of at least %(limit_value)d characters."),
        },
    )
