from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from linli.accounts import selectors
from linli.accounts.models import User
from linli.accounts.password_validation import help_text_html
from linli.territory.models import Node


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in the app."))
        return code


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_kind_display()} · {obj.code}"


class _GrantFields(forms.Form):
    """Role and node, offered only as far as the actor may grant them; the combination is
    checked in clean() and again by the service."""

    role = forms.ChoiceField(label=_("Role"))
    node = NodeChoiceField(label=_("Place"), queryset=Node.objects.none(), empty_label="—")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        nodes = selectors.administrable_nodes(user=actor, kinds=selectors.MENU_NODE_KINDS).order_by("path")
        self.fields["node"].queryset = nodes
        self.fields["role"].choices = [("", "—"), *selectors.grantable_roles(actor=actor, nodes=list(nodes))]

    def clean(self):
        data = super().clean()
        role, node = data.get("role"), data.get("node")
        if role and node and not selectors.can_grant(actor=self.actor, role=role, node=node):
            self.add_error("role", _("You may not grant this role at this place."))
        return data


class AccountCreateForm(_GrantFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "full_name", "password", "role", "node"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = help_text_html()

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class RoleGrantForm(_GrantFields):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new twice, the validators); the service does the save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = help_text_html()


class PasswordResetForm(SetPasswordForm):
    """An administrator sets a new password for someone else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = help_text_html()
