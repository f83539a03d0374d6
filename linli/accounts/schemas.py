from datetime import datetime
from uuid import UUID

from ninja import Schema


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorOut(Schema):
    code: str
    message: str


class RoleOut(Schema):
    id: UUID
    role: str
    role_label: str
    node_id: UUID
    node_code: str
    node_name: str
    created_at: datetime

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_node_id(obj) -> UUID:
        return obj.node.public_id

    @staticmethod
    def resolve_node_code(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name


class AccountOut(Schema):
    id: UUID
    username: str
    full_name: str
    is_active: bool
    two_factor: bool
    last_login: datetime | None
    # Only the roles inside the caller's area.
    roles: list[RoleOut]

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_two_factor(obj) -> bool:
        return bool(getattr(obj, "has_two_factor", False))

    @staticmethod
    def resolve_roles(obj) -> list:
        return getattr(obj, "area_roles", [])


class AccountIn(Schema):
    username: str
    full_name: str = ""
    password: str
    role: str
    node_id: UUID


class GrantIn(Schema):
    role: str
    node_id: UUID


class ReasonIn(Schema):
    reason: str = ""
