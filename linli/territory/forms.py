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
