from django import forms
from django.utils.translation import gettext_lazy as _

from linli.territory.choices import ALLOWED_PARENTS, DedicatedKind, NodeKind


class NodeCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    dedicated_kind = forms.ChoiceField(
        label=_("Dedicated grid type"),
        choices=[("", "—"), *DedicatedKind.choices],
        required=False,
    )

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds that may stand under this parent are offered.
        self.fields["kind"].choices = [
            (value, label) for value, label in NodeKind.choices if parent.kind in ALLOWED_PARENTS[value]
        ]
        self.fields["code"].initial = parent.code


class NodeRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class NodeMoveForm(forms.Form):
    parent_code = forms.CharField(
        label=_("Code of the new parent"),
        max_length=32,
        help_text=_("The place and everything under it move; its code is rewritten under the new parent."),
    )
    code = forms.CharField(label=_("New code"), max_length=32)
