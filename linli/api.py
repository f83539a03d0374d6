"""The one JSON API of Linli, at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from linli.accounts.api import BearerAuth
from linli.accounts.api import admin_router as accounts_router
from linli.accounts.api import router as auth_router
from linli.accounts.schemas import ErrorOut
from linli.appeals.api import router as appeals_router
from linli.core.errors import DomainError
from linli.registry.api import router as registry_router
from linli.territory.api import router as territory_router
from linli.territory.geo_api import router as geo_router
from linli.territory.places_api import places_router, responsibilities_router


class LinliAPI(NinjaAPI):
    """The error answers the handlers below give on every operation are declared once here,
    so the OpenAPI document stays complete as routers are added. Answers that depend on the
    operation (403, 404, 409) are declared on the operation itself."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["schemas"].setdefault("ErrorOut", ErrorOut.model_json_schema())
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if operation.get("requestBody"):
                    responses.setdefault(400, {"description": "The body is not JSON", **error})
                if operation.get("security"):
                    responses.setdefault(401, {"description": "Not authenticated", **error})
                if operation.get("requestBody") or operation.get("parameters"):
                    responses.setdefault(422, {"description": "The request is not valid", **error})
        return schema


api = LinliAPI(
    title="Linli API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=[BearerAuth(), SessionAuth()],
)


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    extra = {"field": exc.field} if exc.field else {}
    if getattr(exc, "errors", None):
        # Several fields at once (registry services): the same shape as schema errors.
        extra["errors"] = [{"loc": [field], "message": str(message)} for field, message in exc.errors.items()]
    return _error(request, exc.status, exc.code, str(exc.message), **extra)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    details = [
        {"loc": [str(p) for p in err.get("loc", [])], "message": err.get("msg", "")} for err in exc.errors
    ]
    return _error(request, 422, "validation_error", _("The request is not valid."), errors=details)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return _error(request, 401, "unauthorized", _("Log in or send a valid bearer token."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


api.add_router("/auth", auth_router)
api.add_router("/accounts", accounts_router)
api.add_router("/territory", territory_router)
api.add_router("/registry", registry_router)
api.add_router("/geo", geo_router)
api.add_router("/places", places_router)
api.add_router("/responsibilities", responsibilities_router)
api.add_router("/appeals", appeals_router)
