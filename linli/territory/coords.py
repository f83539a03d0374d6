"""Coordinate systems used in China: WGS-84 (GPS, Tianditu/CGCS2000 to within a metre),
GCJ-02 (the "mars" offset every map published in China must apply: Amap, Tencent, Apple
in China) and BD-09 (Baidu's extra offset on top of GCJ-02).

Linli stores everything in WGS-84 and converts at the edges. The forward formulas are
the published ones (Krasovsky 1940 ellipsoid, as in coordtransform and eviltransform).
GCJ-02 has no closed-form inverse: the one-step approximation the libraries ship is off
by up to a few metres, so `gcj02_to_wgs84` iterates the forward formula to convergence
(about 1 mm). `bd09_to_gcj02` is iterated the same way.

Every function takes floats or numpy arrays (vectorised: the locate batch converts a
million points at once) and returns the same shape. Points outside China's rough box
pass through unchanged, as the published algorithms do.
"""

from __future__ import annotations

import math

import numpy as np

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
CRS_CHOICES = (WGS84, GCJ02, BD09)
CRS_LABELS = {WGS84: "WGS-84", GCJ02: "GCJ-02", BD09: "BD-09"}

# Krasovsky 1940, the ellipsoid of the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# Earth radius for distances (WGS-84 semi-major axis).
EARTH_RADIUS_M = 6378137.0

# The box inside which GCJ-02 applies (eviltransform's, generous on purpose: Hainan's
# southern islands and the north-east are inside).
_CHINA_LNG = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

_TOLERANCE_DEG = 1e-10  # ~0.01 mm: the iteration stops well below the 1 m promise
_MAX_ITERATIONS = 30


def normalise_crs(value: str | None) -> str:
    """Accept the spellings people type ("WGS-84", "gcj02", "BD09") and return a CRS key,
    or raise ValueError."""
    key = (value or WGS84).strip().lower().replace("-", "").replace("_", "")
    if key in ("wgs84", "epsg4326", "cgcs2000"):
        return WGS84
    if key in ("gcj02", "gcj", "mars"):
        return GCJ02
    if key in ("bd09", "bd09ll", "baidu"):
        return BD09
    raise ValueError(value)


def out_of_china(lng, lat):
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lng < _CHINA_LNG[0]) | (lng > _CHINA_LNG[1]) | (lat < _CHINA_LAT[0]) | (lat > _CHINA_LAT[1])


def _offset(lng, lat):
    """The GCJ-02 offset (dlng, dlat) in degrees at WGS-84 (lng, lat)."""
    x = lng - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    base = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += base
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlng += base
    dlng += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlng, dlat


def _result(lng, lat, scalar: bool):
    if scalar:
        return float(lng), float(lat)
    return lng, lat


def _inputs(lng, lat):
    scalar = np.ndim(lng) == 0 and np.ndim(lat) == 0
    return np.asarray(lng, dtype=float), np.asarray(lat, dtype=float), scalar


def wgs84_to_gcj02(lng, lat):
    lng, lat, scalar = _inputs(lng, lat)
    dlng, dlat = _offset(lng, lat)
    outside = out_of_china(lng, lat)
    return _result(np.where(outside, lng, lng + dlng), np.where(outside, lat, lat + dlat), scalar)


def gcj02_to_wgs84(lng, lat):
    """The inverse of wgs84_to_gcj02 by fixed-point iteration: w = g - offset(w). The offset
    changes slowly with position, so each step gains about three digits."""
    g_lng, g_lat, scalar = _inputs(lng, lat)
    w_lng, w_lat = g_lng.copy(), g_lat.copy()
    for _ in range(_MAX_ITERATIONS):
        dlng, dlat = _offset(w_lng, w_lat)
        n_lng, n_lat = g_lng - dlng, g_lat - dlat
        step = np.maximum(np.abs(n_lng - w_lng), np.abs(n_lat - w_lat))
        w_lng, w_lat = n_lng, n_lat
        if np.all(step < _TOLERANCE_DEG):
            break
    outside = out_of_china(g_lng, g_lat)
    return _result(np.where(outside, g_lng, w_lng), np.where(outside, g_lat, w_lat), scalar)


def gcj02_to_bd09(lng, lat):
    lng, lat, scalar = _inputs(lng, lat)
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    b_lng = z * np.cos(theta) + 0.0065
    b_lat = z * np.sin(theta) + 0.006
    outside = out_of_china(lng, lat)
    return _result(np.where(outside, lng, b_lng), np.where(outside, lat, b_lat), scalar)


def bd09_to_gcj02(lng, lat):
    """Baidu's published inverse is itself an approximation (centimetres off); a few
    fixed-point steps against the forward formula remove that too."""
    b_lng, b_lat, scalar = _inputs(lng, lat)
    x = b_lng - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lng, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_MAX_ITERATIONS):
        f_lng, f_lat = gcj02_to_bd09(g_lng, g_lat)
        e_lng, e_lat = f_lng - b_lng, f_lat - b_lat
        g_lng, g_lat = g_lng - e_lng, g_lat - e_lat
        if np.all(np.maximum(np.abs(e_lng), np.abs(e_lat)) < _TOLERANCE_DEG):
            break
    outside = out_of_china(b_lng, b_lat)
    return _result(np.where(outside, b_lng, g_lng), np.where(outside, b_lat, g_lat), scalar)


def wgs84_to_bd09(lng, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_TO_WGS84 = {
    WGS84: lambda lng, lat: (lng, lat),
    GCJ02: gcj02_to_wgs84,
    BD09: bd09_to_wgs84,
}
_FROM_WGS84 = {
    WGS84: lambda lng, lat: (lng, lat),
    GCJ02: wgs84_to_gcj02,
    BD09: wgs84_to_bd09,
}


def to_wgs84(lng, lat, crs: str):
    return _TO_WGS84[crs](lng, lat)


def from_wgs84(lng, lat, crs: str):
    return _FROM_WGS84[crs](lng, lat)


def haversine_m(lng1, lat1, lng2, lat2):
    """Great-circle distance in metres."""
    lng1, lat1, lng2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lng1, lat1, lng2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return float(d) if np.ndim(d) == 0 else d
