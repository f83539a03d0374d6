from uuid import UUID

from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linli.accounts.schemas import ErrorOut
from linli.core.pagination import Pagination
from linli.core.scoping import get_scoped_or_404
from linli.territory import selectors, services, tree_import
from linli.territory.models import Node
from linli.territory.schemas import NodeIn, NodeOut, NodeRename

router = Router(tags=["territory"])


class NodeFilter(Schema):
    kind: str | None = None
    parent_id: UUID | None = None


@router.get(
    "/nodes", response={200: list[NodeOut], 404: ErrorOut}, summary="Places in the tree the caller may see"
)
@paginate(Pagination)
def list_nodes(request, filters: Query[NodeFilter]):
    parent = None
    if filters.parent_id:
        parent = get_scoped_or_404(Node, request.user, request=request, public_id=filters.parent_id)
    return selectors.nodes_visible(user=request.user, kind=filters.kind, parent=parent).select_related(
        "parent"
    )


@router.get("/nodes/{node_id}", response={200: NodeOut, 404: ErrorOut})
def get_node(request, node_id: UUID):
    return get_scoped_or_404(
        Node.objects.select_related("parent"), request.user, request=request, public_id=node_id
    )


@router.post("/nodes", response={201: NodeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_node(request, payload: NodeIn):
    parent = None
    if payload.parent_id:
        parent = get_scoped_or_404(Node, request.user, request=request, public_id=payload.parent_id)
    node = services.node_create(
        actor=request.user,
        kind=payload.kind,
        code=payload.code,
        name=payload.name,
        parent=parent,
        dedicated_kind=payload.dedicated_kind,
        request=request,
    )
    return Status(201, node)


@router.patch("/nodes/{node_id}", response={200: NodeOut, 404: ErrorOut, 422: ErrorOut})
def rename_node(request, node_id: UUID, payload: NodeRename):
    node = get_scoped_or_404(Node, request.user, "change", request=request, public_id=node_id)
    return services.node_rename(actor=request.user, node=node, name=payload.name, request=request)


class NodeMove(Schema):
    parent_id: UUID
    code: str


@router.post("/nodes/{node_id}/move", response={200: NodeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def move_node(request, node_id: UUID, payload: NodeMove):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    parent = get_scoped_or_404(Node, request.user, request=request, public_id=payload.parent_id)
    return services.node_move(
        actor=request.user, node=node, new_parent=parent, new_code=payload.code, request=request
    )


@router.post("/nodes/{node_id}/retire", response={200: NodeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def retire_node(request, node_id: UUID):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=node_id)
    return services.node_retire(actor=request.user, node=node, request=request)


class TreeRowError(Schema):
    row: int
    column: str
    message: str


class TreeImportOut(Schema):
    rows: int
    created: int
    imported: bool
    errors: list[TreeRowError]


@router.post(
    "/import", response={200: TreeImportOut, 422: ErrorOut}, summary="Import places from a spreadsheet"
)
def import_tree(request, file: File[UploadedFile], dry_run: bool = False):
    """One row per place (kind, code, name, parent code). All or nothing: when any row is
    wrong, `imported` is false and `errors` answers row by row. A file that cannot be read
    at all is a 422."""
    return tree_import.tree_import(
        actor=request.user, upload=file, filename=file.name or "", dry_run=dry_run, request=request
    )
