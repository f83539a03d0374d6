"""The password policy. "basic": Django's validators (length, common passwords, not only
digits, not like the username). "strict" (for 等保 2.0 deployments) adds character classes
and an expiry: LINLI_PASSWORD_POLICY=strict, LINLI_PASSWORD_MAX_AGE_DAYS (default 90).

The validator stays installed in both modes and reads the setting on each call, so that the
policy can be switched by the environment alone and the help text tells the truth.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    # Anything that is not a letter or digit: punctuation, spaces, full-width symbols.
    ("symbol", lambda ch: not ch.isalnum()),
)


def strict() -> bool:
    return settings.LINLI_PASSWORD_POLICY == "strict"  # noqa: S105 - a policy name


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(ch) for ch in password)}


class CharacterClassValidator:
    """Strict policy: at least `min_classes` of upper case, lower case, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if not strict():
            return
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: upper-case letters, lower-case "
                    "letters, digits and symbols."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        if not strict():
            return ""
        return _(
            "Your password must mix at least %(n)d of: upper-case letters, lower-case letters, "
            "digits and symbols."
        ) % {"n": self.min_classes}


def password_expired(user) -> bool:
    """Under the strict policy: the password is older than the maximum age, or its age is
    unknown, or an administrator chose it. Accounts without a usable password have none to
    expire."""
    if not strict() or not user.has_usable_password():
        return False
    changed = user.password_changed_at
    if changed is None:
        return True
    return timezone.now() - changed > timedelta(days=settings.LINLI_PASSWORD_MAX_AGE_DAYS)


def help_text_html() -> str:
    """Django's list of the validators' rules, without the empty item of a rule that is
    off (the strict rules under the basic policy)."""
    from django.contrib.auth.password_validation import password_validators_help_texts
    from django.utils.html import format_html, format_html_join

    texts = [text for text in password_validators_help_texts() if text]
    if not texts:
        return ""
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((text,) for text in texts)))
