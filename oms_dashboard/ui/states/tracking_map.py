"""The tracking map's figure: the scans of one shipment on a plotly ``scattergeo``,
joined in the order they happened, the latest large in the status colour.

A plain dict (``data`` and ``layout``), built on the server and drawn by
``ui.components.shipment_panel``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import atan, degrees, exp, log, pi, radians, tan
from typing import Any

from oms_dashboard.domain.tracking import ShipmentStatus
from oms_dashboard.gazetteer import locate
from oms_dashboard.models import ShipmentScan

# Radix Themes step 9 of each status colour (the badge's hue), and slate for the past.
STATUS_HUES = {
    ShipmentStatus.SHIPPED: "#6e56cf",
    ShipmentStatus.IN_TRANSIT: "#6e56cf",
    ShipmentStatus.OUT_FOR_DELIVERY: "#6e56cf",
    ShipmentStatus.DELIVERED: "#30a46c",
    ShipmentStatus.DELIVERY_EXCEPTION: "#e5484d",
}
PAST_HUE, ROUTE_HUE = "#80838d", "#b9bbc6"
MAP_HEIGHT = 300
MAP_ASPECT = 1.8
"""Width over height of the map as it usually shows: a fitted view fills it."""
MAP_CONFIG = {
    # The map's outlines are served by the app (assets/maps), never fetched from a CDN.
    "topojsonURL": "/maps/",
    "displayModeBar": False,
    "scrollZoom": False,
    "responsive": True,
}


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    country: str
    label: str


def place_label(scan: ShipmentScan) -> str:
    """``Memphis, TN, US``: how a scan's place reads."""
    return ", ".join(p for p in (scan.city, scan.region, scan.country) if p)


def map_point(scan: ShipmentScan) -> MapPoint | None:
    """Where the scan was: its own coordinates, else the gazetteer's for its city."""
    if scan.lat is not None and scan.lon is not None:
        lat, lon = scan.lat, scan.lon
    else:
        found = locate(scan.city, scan.region, scan.country, scan.postal_code)
        if found is None:
            return None
        lat, lon = found
    when = scan.at.strftime("%d %b, %H:%M UTC")
    label = f"{scan.description}<br>{place_label(scan)}<br>{when}"
    return MapPoint(lat=lat, lon=lon, country=(scan.country or "US").upper(), label=label)


def map_caption(points: list[MapPoint], scans: int) -> str:
    if not points:
        return ""
    left_off = scans - len(points)
    text = (
        "The route so far: every scan whose place the carrier named, joined in order; "
        "the large dot is the latest place it was scanned at."
    )
    if left_off:
        text += f" {left_off} scan{'' if left_off == 1 else 's'} without a place are only listed."
    return text


def route_figure(points: list[MapPoint], status: str) -> dict[str, Any]:
    """Lines between the scans in order, earlier scans small, the latest large in the
    status colour. US-only routes use the US map; others a view fitted around them."""
    lats, lons = [p.lat for p in points], [p.lon for p in points]
    hue = STATUS_HUES.get(status, STATUS_HUES[ShipmentStatus.IN_TRANSIT])
    hover = "%{text}<extra></extra>"
    data = [
        {
            "type": "scattergeo",
            "mode": "lines",
            "lat": lats,
            "lon": lons,
            "line": {"width": 2, "color": ROUTE_HUE},
            "hoverinfo": "skip",
            "name": "Route",
        },
        {
            "type": "scattergeo",
            "mode": "markers",
            "lat": lats[:-1],
            "lon": lons[:-1],
            "text": [p.label for p in points[:-1]],
            "hovertemplate": hover,
            "marker": {"size": 8, "color": PAST_HUE, "line": {"width": 1, "color": "#ffffff"}},
            "name": "Earlier scans",
        },
        {
            "type": "scattergeo",
            "mode": "markers",
            "lat": lats[-1:],
            "lon": lons[-1:],
            "text": [points[-1].label],
            "hovertemplate": hover,
            "marker": {"size": 16, "color": hue, "line": {"width": 3, "color": "#ffffff"}},
            "name": "Latest scan",
        },
    ]
    return {
        "data": data,
        "layout": {
            "geo": _geo(points),
            "height": MAP_HEIGHT,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "dragmode": False,
        },
    }


def _geo(points: list[MapPoint]) -> dict[str, Any]:
    style = {
        "showland": True,
        "landcolor": "#eceef2",
        "showocean": True,
        "oceancolor": "#f7f9fc",
        "showcountries": True,
        "countrycolor": "#c3c6cf",
        "showsubunits": True,
        "subunitcolor": "#dadce2",
        "showcoastlines": True,
        "coastlinecolor": "#c3c6cf",
        "showlakes": True,
        "lakecolor": "#f7f9fc",
        "showframe": False,
        "bgcolor": "rgba(0,0,0,0)",
        "resolution": 110,
    }
    if all(p.country == "US" for p in points):
        return {**style, "scope": "usa", "projection": {"type": "albers usa"}}
    lat_range, lon_range = _fitted(points)
    return {
        **style,
        "scope": "world",
        "projection": {"type": "mercator"},
        "lataxis": {"range": lat_range},
        "lonaxis": {"range": lon_range},
    }


def _fitted(points: list[MapPoint]) -> tuple[list[float], list[float]]:
    """Latitude and longitude ranges around the points, with a margin, widened so a
    Mercator view of them fills a box of ``MAP_ASPECT`` (no bands left and right)."""
    lats, lons = [p.lat for p in points], [p.lon for p in points]
    lat_pad = max((max(lats) - min(lats)) * 0.3, 5)
    lon_pad = max((max(lons) - min(lons)) * 0.2, 8)
    south, north = max(min(lats) - lat_pad, -70.0), min(max(lats) + lat_pad, 78.0)
    west, east = max(min(lons) - lon_pad, -180.0), min(max(lons) + lon_pad, 180.0)

    def y(lat: float) -> float:
        return log(tan(pi / 4 + radians(lat) / 2))

    def lat_of(value: float) -> float:
        return degrees(2 * atan(exp(value)) - pi / 2)

    wide, high = radians(east - west), y(north) - y(south)
    if wide < MAP_ASPECT * high:  # too tall: show more east and west
        extra = degrees(MAP_ASPECT * high - wide) / 2
        west, east = max(west - extra, -180.0), min(east + extra, 180.0)
    else:  # too wide: show more north and south
        middle, half = (y(north) + y(south)) / 2, wide / MAP_ASPECT / 2
        south, north = max(lat_of(middle - half), -70.0), min(lat_of(middle + half), 78.0)
    return [round(south, 2), round(north, 2)], [round(west, 2), round(east, 2)]
