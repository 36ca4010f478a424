"""Open GeoJSON files with QGIS's own data provider and report what QGIS sees, as JSON.

Run with Debian's python3 (python3-qgis), not the project's interpreter:
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/open_in_qgis.py FILE...
"""

import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes

app = QgsApplication([], False)
app.initQgis()
report = []
for path in sys.argv[1:]:
    seen = {"path": path, "sublayers": {}}
    # QGIS splits a GeoJSON file with several geometry types into one layer per type, as its dialog does.
    for kind in ("Point", "LineString", "Polygon"):
        layer = QgsVectorLayer(f"{path}|geometrytype={kind}", kind, "ogr")
        if not layer.isValid():
            seen["sublayers"][kind] = {"valid": False}
            continue
        features = list(layer.getFeatures())
        seen["sublayers"][kind] = {
            "valid": True, "crs": layer.crs().authid(), "count": len(features),
            "type": QgsWkbTypes.displayString(layer.wkbType()),
            "fields": layer.fields().names(),
            "invalid_geometries": [f["id"] for f in features if not f.geometry().isGeosValid()],
            "ids": sorted(str(f["id"]) for f in features),
        }
    report.append(seen)
print(json.dumps(report), flush=True)
# QGIS's teardown can crash the interpreter at exit (a known issue of its Python bindings): leave at once.
os._exit(0)
