"""Domain errors raised by services. Views turn them into messages, the API into JSON
{code, message} with the HTTP status given here."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This record was changed by someone else; reload and try again.")


class OutOfScope(DomainError):
    # Same answer as a missing record: a user must not learn what exists outside their place.
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You do not have permission to do this.")
