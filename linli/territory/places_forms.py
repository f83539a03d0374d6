"""Forms of the places and responsibilities pages. Choices are restricted to the user's
area the same way the services check it (a form never offers what the service refuses)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.accounts import selectors as account_selectors
from linli.accounts.models import User
from linli.core.scoping import path_prefix_condition
from linli.territory import coords
from linli.territory.choices import GRID_KINDS, NodeKind
from linli.territory.models import Duty, Employment, Node, PartyOrgKind, PlaceKind, SmallShopKind
from linli.territory.responsibility_services import duties_for

CRS_CHOICES = [(key, coords.CRS_LABELS[key]) for key in coords.CRS_CHOICES]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NodeChoiceField(forms.ModelChoiceField):
    """A node by its public id, labelled with its community so that "第1网格" is unique."""

    def label_from_instance(self, obj: Node) -> str:
        parent = getattr(obj, "parent", None)
        return (
            f"{parent.name} › {obj.name}"
            if parent is not None and obj.kind != NodeKind.COMMUNITY
            else obj.name
        )


class NodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Node) -> str:
        return f"{obj.name} ({obj.code[-3:]})"


def grids_for(user: User, action: str) -> QuerySet[Node]:
    return (
        Node.objects.restrict(user, action)
        .filter(kind__in=GRID_KINDS, retired_at__isnull=True)
        .select_related("parent")
        .order_by("code")
    )


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, address or credit code"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PlaceKind.choices]
    )
    node = NodeChoiceField(
        label=_("Community or grid"), required=False, queryset=Node.objects.none(), to_field_name="public_id"
    )
    small_shop = forms.ChoiceField(
        label=_("“Five small” shops"),
        required=False,
        choices=[("", _("All")), ("yes", _("Only “five small” shops")), ("no", _("Without them"))],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = (
            Node.objects.restrict(user, "view")
            .filter(kind__in=[NodeKind.COMMUNITY, *GRID_KINDS], retired_at__isnull=True)
            .select_related("parent")
            .order_by("code")
        )
        self.fields["node"].empty_label = _("Everywhere in my area")


class PlaceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    small_shop_kind = forms.ChoiceField(
        label=_("“Five small” shop"),
        required=False,
        choices=[("", _("No")), *SmallShopKind.choices],
        help_text=_(
            "Small restaurants, shops, hotels, entertainment venues and hair salons (street shops only)."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=30,
        help_text=_("18 characters, on the business licence."),
    )
    old_registration_number = forms.CharField(
        label=_("Old registration number"),
        required=False,
        max_length=40,
        help_text=_("Only for licences issued before the unified code; kept as written."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    # Not bounded here: the service says when longitude and latitude look swapped.
    lng = forms.FloatField(label=_("Longitude"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    crs = forms.ChoiceField(label=_("Coordinate system"), choices=CRS_CHOICES, initial=coords.WGS84)
    grid = NodeChoiceField(
        label=_("Grid"),
        required=False,
        queryset=Node.objects.none(),
        to_field_name="public_id",
        help_text=_("When a location is given, the grid is found from it."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user: User, action: str = "add", with_contact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids_for(user, action)
        if with_contact:
            self.fields["contact_name"] = forms.CharField(
                label=_("Contact person"), required=False, max_length=50
            )
            self.fields["contact_role"] = forms.CharField(
                label=_("Their role"), required=False, max_length=50
            )
            self.fields["contact_phone"] = forms.CharField(
                label=_("Their phone"), required=False, max_length=30
            )


class ContactForm(forms.Form):
    contact_name = forms.CharField(label=_("Name"), max_length=50)
    contact_role = forms.CharField(label=_("Role"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=30)


def _accounts_near(actor: User, node: Node) -> QuerySet[User]:
    """Accounts the actor administers that hold a role in the node's community (or the
    node's own subtree above community level): a short, relevant menu."""
    community = Node.objects.filter(pk__in=node.ancestor_ids(), kind=NodeKind.COMMUNITY).only("path").first()
    area = community.path if community is not None else node.path
    return (
        account_selectors.users_administrable(user=actor)
        .filter(is_active=True)
        .filter(
            pk__in=User.objects.filter(
                path_prefix_condition("role_assignments__node__path", [area]),
                role_assignments__ended_at__isnull=True,
            ).values("pk")
        )
        .order_by("full_name", "username")
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.username})" if obj.full_name else obj.username


class AppointForm(forms.Form):
    duty = forms.ChoiceField(label=_("Duty"))
    user = AccountChoiceField(
        label=_("Account"),
        required=False,
        queryset=User.objects.none(),
        to_field_name="public_id",
        help_text=_("If the person has an account: it receives the matching role here."),
    )
    person_name = forms.CharField(label=_("Name"), required=False, max_length=50)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    employment = forms.ChoiceField(
        label=_("Employment (grid workers)"), required=False, choices=[("", "—"), *Employment.choices]
    )
    org_kind = forms.ChoiceField(
        label=_("Party organisation"), required=False, choices=[("", "—"), *PartyOrgKind.choices]
    )
    org_name = forms.CharField(label=_("Name of the party organisation"), required=False, max_length=100)
    started_on = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, actor: User, node: Node, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [(d, Duty(d).label) for d in duties_for(node)]
        accounts = _accounts_near(actor, node)
        self.fields["user"].queryset = accounts
        self.fields["user"].empty_label = _("No account: name and phone below")
        if node.kind not in GRID_KINDS:
            for name in ("employment", "org_kind", "org_name"):
                del self.fields[name]


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The first day without this duty; empty: today."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class AreaLeadForm(forms.Form):
    grids = NodeMultipleChoiceField(
        label=_("Grids"),
        queryset=Node.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )
    user = AccountChoiceField(
        label=_("Account"), required=False, queryset=User.objects.none(), to_field_name="public_id"
    )
    person_name = forms.CharField(label=_("Name"), required=False, max_length=50)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    started_on = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, actor: User, community: Node, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = (
            Node.objects.restrict(actor, "view")
            .filter(parent=community, kind__in=GRID_KINDS, retired_at__isnull=True)
            .order_by("code")
        )
        self.fields["user"].queryset = _accounts_near(actor, community)
        self.fields["user"].empty_label = _("No account: name and phone below")
