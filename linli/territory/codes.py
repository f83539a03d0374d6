"""Territory codes: the community's 12-digit statistical code extended level by level."""

from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.territory.choices import CODE_SUFFIX_DIGITS, NodeKind

# Full-width digits typed on Chinese keyboards are still digits.
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_code(code: str) -> str:
    return code.strip().translate(_FULLWIDTH)


def validate_code(*, kind: str, code: str, parent_code: str | None) -> str:
    """Return the normalised code or raise ValidationFailed with a message in the user's
    language that says what is wrong."""
    code = normalise_code(code)
    if not code.isdigit() or not code.isascii():
        raise ValidationFailed(_("A code may contain digits only."), field="code")
    prefix = parent_code or ""
    expected = len(prefix) + CODE_SUFFIX_DIGITS[kind]
    if kind == NodeKind.COMMUNITY and len(code) != 12:
        raise ValidationFailed(
            _(
                "A community code is the 12-digit statistical code (6-digit division, "
                "3-digit street, 3-digit community); got %(n)d digits."
            )
            % {"n": len(code)},
            field="code",
        )
    if len(code) != expected:
        raise ValidationFailed(
            _("The code of a %(kind)s must have %(n)d digits; got %(got)d.")
            % {"kind": NodeKind(kind).label, "n": expected, "got": len(code)},
            field="code",
        )
    if not code.startswith(prefix):
        raise ValidationFailed(
            _("The code must begin with its parent's code %(parent)s.") % {"parent": prefix},
            field="code",
        )
    if code[len(prefix) :].strip("0") == "":
        raise ValidationFailed(_("The last digits of the code cannot all be zero."), field="code")
    return code
