import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import ScopedModel
from linli.territory.models.tree import Node


class Boundary(ScopedModel):
    """The outline of one territory node.

    `geometry` is a GeoJSON Polygon or MultiPolygon in WGS-84 (EPSG:4326, [lng, lat]),
    always: files in GCJ-02 or BD-09 are converted on import and exported back on request
    (territory/coords.py). The bbox columns let a query narrow by rectangle without
    parsing JSON; `version` counts the edits of this row, `updated_at` says when.
    """

    record_kind = "territory"
    scope_path_lookup = "node__path"

    # CASCADE: a boundary means nothing without its node (nodes are retired, not deleted).
    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField(_("boundary (GeoJSON, WGS-84)"))
    min_lng = models.FloatField()
    min_lat = models.FloatField()
    max_lng = models.FloatField()
    max_lat = models.FloatField()
    area_m2 = models.FloatField(_("area (m²)"), default=0)
    # The coordinate system the boundary arrived in; the stored one is WGS-84 regardless.
    source_crs = models.CharField(max_length=8, default="wgs84")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return f"{self.node.code} boundary"


class BoundaryRevision(models.Model):
    """One row that changes with every boundary write (territory/locate.py).

    Each app process keeps its own locate index and compares this row's token with the
    one it was built from, at most every LINLI_LOCATE_CHECK_SECONDS. A random token rather
    than a counter: a rolled-back transaction or a restored backup can bring a counter back
    to a value an index has already seen with other data, a fresh UUID never repeats.
    """

    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.token)
