"""locate: a point → the deepest territory node whose boundary contains it.

The index
---------
Each app process holds one index: every live boundary as a shapely 2 geometry, in one
STRtree per tree depth (grids, communities, streets…). A batch of points is answered with
vectorised calls, deepest level first: `STRtree.query(points, predicate="intersects")`
on the whole array, the first hit per point kept, and only the points still unplaced go
on to the next level up. Within one level, entries are ordered by area, so where two
boundaries of the same depth both contain a point (a dedicated grid inside an ordinary
grid) the smaller, more specific one wins.

Keeping several processes current
---------------------------------
Every boundary write changes the one BoundaryRevision row (a fresh random token) in the
same transaction. An index remembers the token it was built from and reads the row again
at most every LINLI_LOCATE_CHECK_SECONDS (default 2 s; one indexed single-row query); a
different token → it rebuilds. So after a boundary changes, every process answers from
the new boundaries within the check interval plus one rebuild, without a message bus or
shared cache. The process that made the change marks its own index stale at once.
While one thread rebuilds, the others keep answering from the previous snapshot.

Scoping
-------
The index knows each entry's materialised path; a user's grants become a boolean mask
per level (cached per set of grant paths), so a point whose only containing boundaries
lie outside the user's area gets no answer. The service layer (geo_services) then loads
the nodes through the scoped manager, so even a stale index cannot leak a node.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings

from linli.territory import coords

NOT_FOUND = -1
_MASK_CACHE_SIZE = 256


@dataclass
class _Level:
    depth: int
    tree: shapely.STRtree
    node_ids: np.ndarray  # int64, tree index → node id
    paths: list[str]


@dataclass
class Snapshot:
    token: str | None
    levels: list[_Level]  # deepest first
    size: int
    build_seconds: float
    _masks: dict[tuple[str, ...], list[np.ndarray | None]] = field(default_factory=dict)

    def _level_masks(self, allowed: tuple[str, ...] | None) -> list[np.ndarray | None]:
        if allowed is None:
            return [None] * len(self.levels)
        masks = self._masks.get(allowed)
        if masks is None:
            masks = [
                np.fromiter((p.startswith(allowed) for p in lv.paths), bool, len(lv.paths))
                for lv in self.levels
            ]
            if len(self._masks) >= _MASK_CACHE_SIZE:
                self._masks.clear()
            self._masks[allowed] = masks
        return masks

    def locate(self, lng, lat, allowed: tuple[str, ...] | None = None) -> np.ndarray:
        """Node ids (NOT_FOUND where none) for WGS-84 arrays of longitudes and latitudes.
        `allowed`: the path prefixes the caller may see, None for everything."""
        lng = np.asarray(lng, dtype=float).ravel()
        lat = np.asarray(lat, dtype=float).ravel()
        result = np.full(lng.shape[0], NOT_FOUND, dtype=np.int64)
        if lng.shape[0] == 0 or (allowed is not None and not allowed):
            return result
        points = shapely.points(lng, lat)
        pending: np.ndarray | None = None  # None: all points (saves a copy on the first level)
        for level, mask in zip(self.levels, self._level_masks(allowed), strict=True):
            if mask is not None and not mask.any():
                continue
            batch = points if pending is None else points[pending]
            if batch.shape[0] == 0:
                break
            inputs, hits = level.tree.query(batch, predicate="intersects")
            if mask is not None:
                keep = mask[hits]
                inputs, hits = inputs[keep], hits[keep]
            if inputs.shape[0] == 0:
                continue
            first_inputs, first_hits = _smallest_hit_per_input(inputs, hits)
            targets = first_inputs if pending is None else pending[first_inputs]
            result[targets] = level.node_ids[first_hits]
            unplaced = np.ones(batch.shape[0], dtype=bool)
            unplaced[first_inputs] = False
            pending = np.flatnonzero(unplaced) if pending is None else pending[unplaced]
        return result


def _smallest_hit_per_input(inputs: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each input index, the smallest tree index it hit (entries are sorted by area)."""
    if inputs.shape[0] > 1 and not np.all(inputs[1:] >= inputs[:-1]):
        order = np.lexsort((hits, inputs))
        inputs, hits = inputs[order], hits[order]
    starts = np.flatnonzero(np.concatenate(([True], inputs[1:] != inputs[:-1])))
    if starts.shape[0] == inputs.shape[0]:  # one hit per point: the common case
        return inputs, hits
    return inputs[starts], np.minimum.reduceat(hits, starts)


def build_snapshot(rows, token: str | None) -> Snapshot:
    """rows: iterable of (node_id, depth, path, geometry) with geometry a GeoJSON dict or a
    shapely geometry, in WGS-84."""
    started = time.perf_counter()
    by_depth: dict[int, list] = {}
    for node_id, depth, path, geometry in rows:
        geom = geometry if isinstance(geometry, shapely.Geometry) else shapely.geometry.shape(geometry)
        by_depth.setdefault(depth, []).append((node_id, path, geom))
    levels = []
    for depth in sorted(by_depth, reverse=True):
        entries = by_depth[depth]
        geoms = np.array([g for _, _, g in entries], dtype=object)
        # Smallest first: the tie-break between same-depth boundaries (see module doc).
        order = np.argsort(shapely.area(geoms), kind="stable")
        geoms = geoms[order]
        levels.append(
            _Level(
                depth=depth,
                tree=shapely.STRtree(geoms),
                node_ids=np.array([entries[i][0] for i in order], dtype=np.int64),
                paths=[entries[i][1] for i in order],
            )
        )
    size = sum(len(v) for v in by_depth.values())
    return Snapshot(token=token, levels=levels, size=size, build_seconds=time.perf_counter() - started)


def read_token() -> str | None:
    from linli.territory.models import BoundaryRevision

    token = BoundaryRevision.objects.order_by("pk").values_list("token", flat=True).first()
    return str(token) if token is not None else None


def load_rows():
    """Every live boundary with its node's id, depth and path."""
    from linli.territory.models import Boundary

    return (
        Boundary.objects.filter(node__retired_at__isnull=True)
        .values_list("node_id", "node__depth", "node__path", "geometry")
        .iterator(chunk_size=2000)
    )


class LocateIndex:
    """The per-process index with its freshness check. `check_interval` None: read
    settings.LINLI_LOCATE_CHECK_SECONDS at each check (tests and deployments may change it)."""

    def __init__(self, check_interval: float | None = None):
        self._check_interval = check_interval
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._stale = False
        self._lock = threading.Lock()
        self.rebuilds = 0

    @property
    def check_interval(self) -> float:
        if self._check_interval is not None:
            return self._check_interval
        return float(getattr(settings, "LINLI_LOCATE_CHECK_SECONDS", 2))

    def mark_stale(self) -> None:
        """This process changed a boundary: check the revision at the next use."""
        self._stale = True

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        now = time.monotonic()
        if current is not None and not self._stale and now - self._checked_at < self.check_interval:
            return current
        self._stale = False
        token = read_token()
        self._checked_at = now
        if current is not None and current.token == token:
            return current
        # One thread rebuilds; the others go on with the previous snapshot if there is one.
        if not self._lock.acquire(blocking=current is None):
            return current  # type: ignore[return-value]
        try:
            if self._snapshot is not None and self._snapshot.token == token:
                return self._snapshot
            # The token is read before the rows: the rows are at least as new as the token,
            # so a change made in between is seen again, never missed.
            self._snapshot = build_snapshot(load_rows(), token)
            self.rebuilds += 1
            return self._snapshot
        finally:
            self._lock.release()

    def locate(self, lng, lat, crs: str = coords.WGS84, allowed: tuple[str, ...] | None = None) -> np.ndarray:
        if crs != coords.WGS84:
            lng, lat = coords.to_wgs84(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float), crs)
        return self.snapshot().locate(lng, lat, allowed)


_index = LocateIndex()


def get_index() -> LocateIndex:
    return _index


def reset_index() -> None:
    """Forget the process index (tests: each test's database differs)."""
    global _index
    _index = LocateIndex()


def boundaries_changed_locally() -> None:
    """Called by the writes in this process, at once and again after commit (another
    thread may have rebuilt from the uncommitted state's predecessor in between)."""
    from django.db import transaction

    _index.mark_stale()
    transaction.on_commit(lambda: _index.mark_stale())
