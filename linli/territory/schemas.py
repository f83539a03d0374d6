from datetime import datetime
from uuid import UUID

from ninja import Schema


class NodeOut(Schema):
    id: UUID
    kind: str
    code: str
    name: str
    parent_id: UUID | None
    depth: int
    retired_at: datetime | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_parent_id(obj) -> UUID | None:
        return obj.parent.public_id if obj.parent_id else None


class NodeIn(Schema):
    kind: str
    code: str
    name: str
    parent_id: UUID | None = None
    dedicated_kind: str = ""


class NodeRename(Schema):
    name: str
