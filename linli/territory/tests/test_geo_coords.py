"""WGS-84 ↔ GCJ-02 ↔ BD-09 against the reference values published with widely used
libraries (eviltransform's tests, coordtransform's README)."""

import numpy as np
import pytest

from linli.territory import coords

# eviltransform/python/test.py: (wgs lat, wgs lng, gcj lat, gcj lng)
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# coordtransform README, all four computed from (116.404, 39.915) as (lng, lat).
CT_INPUT = (116.404, 39.915)
CT_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
CT_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
CT_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)  # their closed-form approximation


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_eviltransform(wlat, wlng, glat, glng):
    lng, lat = coords.wgs84_to_gcj02(wlng, wlat)
    assert lng == pytest.approx(glng, abs=1e-7)
    assert lat == pytest.approx(glat, abs=1e-7)


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM)
def test_gcj02_to_wgs84_is_within_a_metre_of_the_reference(wlat, wlng, glat, glng):
    lng, lat = coords.gcj02_to_wgs84(glng, glat)
    assert coords.haversine_m(lng, lat, wlng, wlat) < 1.0


def test_the_inverse_is_iterative_not_the_one_step_approximation():
    # In Shanghai the one-step inverse (g - offset(g)) is almost 2 m off; the iteration
    # must land within a centimetre.
    wlat, wlng, glat, glng = EVILTRANSFORM[0]
    dlng, dlat = coords._offset(glng, glat)
    assert coords.haversine_m(glng - dlng, glat - dlat, wlng, wlat) > 1.0
    lng, lat = coords.gcj02_to_wgs84(glng, glat)
    assert coords.haversine_m(lng, lat, wlng, wlat) < 0.01


def test_coordtransform_reference_values():
    assert coords.wgs84_to_gcj02(*CT_INPUT) == pytest.approx(CT_WGS_TO_GCJ, abs=1e-9)
    assert coords.gcj02_to_bd09(*CT_INPUT) == pytest.approx(CT_GCJ_TO_BD, abs=1e-9)
    lng, lat = coords.bd09_to_gcj02(*CT_INPUT)
    assert coords.haversine_m(lng, lat, *CT_BD_TO_GCJ) < 1.0


def test_bd09_inverse_undoes_the_forward_formula():
    back = coords.gcj02_to_bd09(*coords.bd09_to_gcj02(*CT_INPUT))
    assert coords.haversine_m(*back, *CT_INPUT) < 0.01


def test_round_trips_within_a_metre_across_china():
    rng = np.random.default_rng(7)
    lng = rng.uniform(74, 135, 2000)
    lat = rng.uniform(4, 53, 2000)
    for forward, backward in (
        (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
        (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
        (coords.gcj02_to_bd09, coords.bd09_to_gcj02),
    ):
        back_lng, back_lat = backward(*forward(lng, lat))
        assert coords.haversine_m(back_lng, back_lat, lng, lat).max() < 1.0


def test_the_offset_is_real_inside_china():
    # A conversion that did nothing would pass the round trips: GCJ-02 moves points by
    # hundreds of metres in Zhangqiu.
    lng, lat = coords.wgs84_to_gcj02(117.53, 36.71)
    assert 100 < coords.haversine_m(lng, lat, 117.53, 36.71) < 1000


@pytest.mark.parametrize("convert", [coords.wgs84_to_gcj02, coords.gcj02_to_wgs84, coords.wgs84_to_bd09])
def test_points_outside_china_pass_through(convert):
    assert convert(2.3522, 48.8566) == (2.3522, 48.8566)  # Paris
    lng, lat = convert(np.array([2.3522, 117.53]), np.array([48.8566, 36.71]))
    assert (lng[0], lat[0]) == (2.3522, 48.8566)
    assert (lng[1], lat[1]) != (117.53, 36.71)


def test_scalars_in_scalars_out_arrays_in_arrays_out():
    assert isinstance(coords.gcj02_to_wgs84(117.5, 36.7)[0], float)
    lng, _ = coords.gcj02_to_wgs84(np.array([117.5, 117.6]), np.array([36.7, 36.8]))
    assert lng.shape == (2,)


@pytest.mark.parametrize(
    ("spelling", "crs"),
    [("WGS-84", "wgs84"), ("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("BD09", "bd09"), ("", "wgs84")],
)
def test_crs_spellings(spelling, crs):
    assert coords.normalise_crs(spelling) == crs


def test_unknown_crs_is_refused():
    with pytest.raises(ValueError):
        coords.normalise_crs("EPSG:3857")


def test_haversine_against_a_known_distance():
    # One degree of latitude is about 111.2 km on the sphere of radius 6378137 m.
    assert coords.haversine_m(117.0, 36.0, 117.0, 37.0) == pytest.approx(111_319.5, rel=1e-4)
