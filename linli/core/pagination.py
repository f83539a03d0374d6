"""The one pagination of the API: limit/offset with both bounded.

ninja's LimitOffsetPagination bounds the limit but not the offset, and an offset past
the database's integer range is a 500 on PostgreSQL instead of a validation error.
"""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 10_000_000


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
