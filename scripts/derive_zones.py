"""Derive the zones of control and the described front lines of the built-in dataset.

How the zones are drawn (the method the source `atlas_method_zones` refers to):
1. The outlines start from the anchor sketch in the project's research notes (a hand-drawn polygon per
   area, from the anchor points the sources give: towns held, distances along Route 10, districts
   named), passed as --anchors.
2. Everything is done in UTM 48N (EPSG:32648): buffers around towns (Pailin 10-12 km, Anlong Veng 8 km,
   Treng 6 km), 5 km either side of Route 10, cuts at Bong Ampil.
3. Each area is split into consecutive periods whenever the sources say it changed, so that zones of
   opposing factions never overlap in space and time.
4. The government zone is the remainder: the modern north-western provinces minus every other zone in
   force, per period. It is a remainder, not an assessed area.
5. Everything is clipped to Cambodia's Natural Earth border (simplified 150 m) and written as RFC 7946.

    python scripts/derive_zones.py --anchors PATH/control_zones_ILLUSTRATIVE.geojson [--out geodata]
"""
import json, sys
from pathlib import Path
import geopandas as gpd, shapely
from shapely.geometry import shape, mapping, Point, LineString, box
from pyproj import Transformer

import argparse
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--anchors", required=True, help="GeoJSON of anchor outlines with properties.id")
parser.add_argument("--out", default=str(ROOT / "geodata"))
args = parser.parse_args()
from layers.dates import parse_date  # noqa: E402
from layers.geojson_io import write_feature_collection  # noqa: E402
OUT = Path(args.out)
BASE = ROOT / "geodata" / "base"
ILL = {f["properties"]["id"]: shape(f["geometry"]) for f in json.load(open(args.anchors))["features"]}
fwd = Transformer.from_crs(4326, 32648, always_xy=True)
inv = Transformer.from_crs(32648, 4326, always_xy=True)
M = lambda g: shapely.transform(g, lambda xy: __import__("numpy").column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
G = lambda g: shapely.transform(g, lambda xy: __import__("numpy").column_stack(inv.transform(xy[:, 0], xy[:, 1])))
countries = gpd.read_file(BASE / "countries.geojson")
KH = shapely.simplify(M(countries[countries["id"] == "KHM"].geometry.iloc[0]), 150)
prov = gpd.read_file(BASE / "provinces.geojson")
STUDY = M(shapely.union_all(prov[prov["id"].isin(["KH-1", "KH-2", "KH-24", "KH-22", "KH-17", "KH-13"])].geometry.to_numpy()))
STUDY = shapely.intersection(shapely.simplify(STUDY, 150), KH)
places = {f["id"]: f["geometry"]["coordinates"] for f in json.load(open(OUT / "places.geojson"))["features"]}
route10 = M(LineString([places[p] for p in ["battambang", "phnom_sampov", "boeng_ampil", "sdau", "treng", "phlov_meas", "pailin"]]))
P = lambda pid: M(Point(places[pid]))
clip = lambda g: shapely.make_valid(shapely.intersection(M(g) if g.bounds[0] < 1000 else g, KH))

west = clip(ILL["kr_west_core"]); wedge = clip(ILL["kr_1994_route10_wedge"]); north = clip(ILL["kr_north_core"])
pv = clip(ILL["kr_preah_vihear"]); chhat = clip(ILL["kr_phnom_chhat"]); dnum = clip(ILL["dnum_autonomous"]); samlot = clip(ILL["samlot_rebel"])
pailin_pocket = shapely.intersection(shapely.union(P("pailin").buffer(10000), route10.buffer(5000)), west)
west_all = shapely.union(west, shapely.intersection(P("pailin").buffer(12000), KH))
tip_cut = M(box(101.0, 10.0, 102.985, 15.0))
wedge_back = shapely.intersection(wedge, tip_cut)
treng_pocket = shapely.intersection(P("treng").buffer(6000), KH)
av_pocket = shapely.intersection(P("anlong_veng").buffer(8000), north)
remnant = shapely.intersection(north, M(box(103.0, 14.30, 105.0, 15.0)))
dnum_all = shapely.union(dnum, samlot)
dnum_rest = shapely.difference(dnum, samlot)

S_W = ["atlas_method_zones", "doc_battle_of_pailin"]
Z = [  # id, name, controller, geometry, start, end, certainty, sources, note
 ("kr_west_1989_border", "Khmer Rouge border zone (before Pailin fell)", "khmer_rouge", shapely.difference(west_all, P("pailin").buffer(12000)), "1989-09-01", "1989-10-23", "approximate", S_W + ["upi_1989_09_22"], "The border strip between Route 5 and the Cardamom foothills; Pailin itself still government-held and under attack."),
 ("kr_west_1989", "Khmer Rouge western zone (Pailin, Malai, Samlot)", "khmer_rouge", west_all, "1989-10-23", "1994-03-19", "approximate", S_W + ["universalis_1989_10_23"], "Drawn from the anchors the sources give: east of Ta Kong and Bavel's villages, about 10 km west of Treng, east of Samlot."),
 ("kr_west_1994_03", "Khmer Rouge western zone (Pailin lost)", "khmer_rouge", shapely.difference(west_all, pailin_pocket), "1994-03-19", "1994-04-19", "approximate", S_W + ["ppp_1994_04_08"], None),
 ("gov_pailin_1994", "Government pocket around Pailin and Route 10", "government", pailin_pocket, "1994-03-19", "1994-04-19", "approximate", S_W + ["ppp_1994_04_08", "ppp_1994_03_shaky_hold"], "About 10 km around the town and 5 km either side of the road it came by; how far the troops really held is not known."),
 ("kr_west_1994_04", "Khmer Rouge western zone and the Route 10 wedge", "khmer_rouge", shapely.union(west_all, wedge), "1994-04-19", "1994-05-08", "claimed", S_W + ["ppp_1994_04_22", "ppp_1994_05_06", "ppp_1996_push"], "The tip of the wedge marks the closest approach to Battambang (about 10 km per the source document, within 15 km per the Phnom Penh Post); a claim, not a surveyed line."),
 ("kr_west_1994_05", "Khmer Rouge western zone (front at Bong Ampil)", "khmer_rouge", shapely.union(west_all, wedge_back), "1994-05-08", "1994-12", "approximate", S_W + ["ppp_1994_05_front"], "The government front was back at Bong Ampil on 8 May 1994; when the Khmer Rouge left Treng later in 1994 is not known."),
 ("kr_west_1995", "Khmer Rouge western zone", "khmer_rouge", west_all, "1994-12", "1995-04-25~", "approximate", S_W + ["ppp_1995_01_district"], None),
 ("kr_west_1995_treng", "Khmer Rouge western zone (Treng overrun)", "khmer_rouge", shapely.union(west_all, treng_pocket), "1995-04-25~", "1995-05-11", "approximate", S_W + ["ppp_1995_05_push"], None),
 ("kr_west_1995_05", "Khmer Rouge western zone", "khmer_rouge", west_all, "1995-05-11", "1996-08-09", "approximate", S_W + ["ppp_1995_05_push", "ppp_1996_push"], None),
 ("dnum_1996", "Ieng Sary's zone (Pailin, Malai, Samlot)", "dnum", shapely.union(dnum_all, shapely.intersection(west_all, dnum_all.buffer(1))), "1996-08-09", "1997-08-15~", "approximate", S_W + ["strangio_2014", "ppp_compliant_boys"], "Semi-autonomous and allied to the government; whether Samlot's units joined at once is not verified."),
 ("dnum_1997", "Ieng Sary's zone (Pailin, Malai)", "dnum", dnum_rest, "1997-08-15~", None, "approximate", S_W + ["strangio_2014", "ppp_compliant_boys"], None),
 ("samlot_1997", "Samlot rebel enclave", "samlot_rebels", samlot, "1997-08-15~", "1998-12~", "approximate", S_W + ["ppp_1998_05_08_samlot"], "About 12 km around Samlot."),
 ("kr_north_1990", "Khmer Rouge northern zone (Anlong Veng, Dangrek)", "khmer_rouge", north, "1990~", "1994-02-05", "approximate", S_W + ["dccam_anlong_veng"], None),
 ("kr_north_1994_02", "Khmer Rouge northern zone (Anlong Veng lost)", "khmer_rouge", shapely.difference(north, av_pocket), "1994-02-05", "1994-02-24", "approximate", S_W + ["ppp_1994_02_11"], None),
 ("gov_anlong_veng_1994", "Government pocket at Anlong Veng", "government", av_pocket, "1994-02-05", "1994-02-24", "claimed", S_W + ["ppp_1994_02_11"], "Claimed by the government, denied by the Khmer Rouge."),
 ("kr_north_1994", "Khmer Rouge northern zone (Anlong Veng, Dangrek)", "khmer_rouge", north, "1994-02-24", "1998-03-28", "approximate", S_W + ["ppp_1995_03_defectors_demine"], None),
 ("kr_north_1998_contested", "Anlong Veng area, fought over", "khmer_rouge", north, "1998-03-28", "1998-04-15", "contested", S_W + ["bbc_1998_03_29", "indian_express_1998_04_05"], "Government troops and defectors in the village; the Khmer Rouge claimed to have regained the area on 4 April."),
 ("kr_dangrek_1998", "Khmer Rouge remnants on the Dangrek escarpment", "khmer_rouge", remnant, "1998-04-15", "1998-12-04", "approximate", S_W + ["feer_1998_04_30"], None),
 ("kr_preah_vihear", "Khmer Rouge-held Preah Vihear temple", "khmer_rouge", pv, "1993-07-07", "1998-03-29", "approximate", S_W + ["bbc_1998_03_29"], "A small enclave around the temple."),
 ("kr_phnom_chhat", "Khmer Rouge base area at Phnom Chhat", "khmer_rouge", chhat, "1989-09-01", "1993-08-20", "approximate", S_W + ["ap_1993_08_20"], "About 8 km around a base whose exact site is not known."),
]
# Government remainder of the north-west study area, per interval in which the other zones stay the same.
bounds = {}
for z in Z:
    for t in (z[4], z[5]):
        if t: bounds[parse_date(t).first_day] = t
days = sorted(bounds)
feats = []
def add(zid, name, ctrl, geom, start, end, cert, srcs, note):
    geom = shapely.make_valid(geom)
    geom = shapely.union_all([g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon") and g.area > 1e6])
    geom = shapely.orient_polygons(shapely.set_precision(G(geom), 1e-5))
    if geom.is_empty: return
    feats.append({"type": "Feature", "id": zid, "geometry": mapping(geom), "properties": {
        "id": zid, "name": name, "controller": ctrl, "start": start, "end": end, "certainty": cert, "sources": srcs, "note": note}})
for z in Z: add(*z)
for i, d in enumerate(days):
    end_t = bounds[days[i + 1]] if i + 1 < len(days) else None
    t = d
    others = [z[3] for z in Z if z[2] != "government" and parse_date(z[4]).first_day <= t and (z[5] is None or parse_date(z[5]).first_day > t)]
    pockets = [z[3] for z in Z if z[2] == "government" and parse_date(z[4]).first_day <= t and (z[5] is None or parse_date(z[5]).first_day > t)]
    rest = shapely.difference(STUDY, shapely.union_all(others + pockets)) if others or pockets else STUDY
    add(f"gov_northwest_{bounds[d].replace('~', '').replace('-', '_')}", "Government-held north-west (remainder)", "government", rest, bounds[d], end_t,
        "approximate", ["atlas_method_zones", "doc_battle_of_pailin"], "What is left of the north-western provinces once the other zones are drawn: government authority outside the towns was thin, so this is a remainder, not an assessed area.")
write_feature_collection(OUT / "zones.geojson", feats)
print("zones", len(feats))

def across(pid_a, pid_b, frac, half_km):
    a, b = P(pid_a), P(pid_b)
    x = a.x + (b.x - a.x) * frac; y = a.y + (b.y - a.y) * frac
    dx, dy = b.x - a.x, b.y - a.y; n = (dx ** 2 + dy ** 2) ** 0.5
    ox, oy = -dy / n * half_km * 1000, dx / n * half_km * 1000
    return G(LineString([(x - ox, y - oy), (x + ox, y + oy)]))
bat_sam = P("battambang").distance(P("phnom_sampov"))
fronts = [
 {"id": "fl_1994_04_closest_approach", "geom": across("battambang", "phnom_sampov", 10000 / bat_sam, 4),
  "props": {"name": "Khmer Rouge closest approach to Battambang", "start": "1994-04-25~", "end": "1994-05-08", "sides": ["government", "khmer_rouge"],
            "certainty": "claimed", "sources": ["doc_battle_of_pailin", "ppp_1996_push", "atlas_method_zones"],
            "note": "Drawn across Route 10 about 10 km from Battambang (source document); the Phnom Penh Post says within 15 km.",
            "disputes": [{"field": "distance from Battambang", "claims": [{"value": "about 10 km", "sources": ["doc_battle_of_pailin"]}, {"value": "within 15 km", "sources": ["ppp_1996_push"]}], "note": "Drawn at 10 km."}]}},
 {"id": "fl_1994_05_08_bong_ampil", "geom": across("boeng_ampil", "sdau", 0.0, 5),
  "props": {"name": "Front at Bong Ampil", "start": "1994-05-08", "end": "1994-06~", "sides": ["government", "khmer_rouge"],
            "certainty": "approximate", "sources": ["ppp_1994_05_front", "atlas_method_zones"],
            "note": "About 35 km from Battambang by road on 8 May 1994; how long it held is not reported (drawn to June 1994)."}},
]
write_feature_collection(OUT / "frontlines.geojson", [{"type": "Feature", "id": f["id"], "geometry": mapping(shapely.set_precision(f["geom"], 1e-5)), "properties": {"id": f["id"], **f["props"]}} for f in fronts])
print("frontlines", len(fronts))
