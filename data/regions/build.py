#!/usr/bin/python3
"""Build the EU-27 NUTS 2021 level-2 region tables from the source tables in sources/.

Writes, next to this script:
  nuts2021_eu27.csv        the documented table: facts, sources and estimates per region
  nuts2021_eu27_model.csv  the same regions in the columns the model's regions-CSV reader takes
                           (population.regions_file; docs/SCENARIOS.md, "Regions from a file")

Usage:
  build.py            rebuild both files
  build.py --check    exit 1 (naming the file) if a committed file differs from a rebuild
  build.py --centroids TOPOJSON
                      print the area-weighted centroid of every geometry of a TopoJSON file in
                      EPSG:4326 (how the polygon_centroid points in sources/points_nuts2021.csv were made)

Every figure and method is described in docs/DATA.md. Standard library only.
"""

import csv
import io
import json
import math
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SOURCES = HERE / "sources"
SECTORS_HPP = REPO / "models" / "cluster" / "sectors.hpp"
RICH_CSV = HERE / "nuts2021_eu27.csv"
MODEL_CSV = HERE / "nuts2021_eu27_model.csv"

# EU-27 SMEs in 2023: Annual Report on European SMEs 2023/2024 (SME Performance Review, July 2024).
EU27_TOTAL_SMES = 25_800_000
# Annex XXVI of Regulation (EU) 2021/1060: GDP per head in PPS (% of EU-27 average, 2015-2017).
LESS_DEVELOPED_BELOW_PCT = 75.0
MORE_DEVELOPED_ABOVE_PCT = 100.0
# A region this close to a threshold may fall on the other side in the Commission's data vintage.
BORDERLINE_MARGIN_PCT = 3.0
# Regions absent from the GDP extract (NUTS 2024 split them): the 2021-2027 categories of the
# Portuguese regions as listed for the Portugal 2030 programmes (recalled; docs/DATA.md).
RECALLED_CATEGORIES = {
    "PT16": "less developed",
    "PT17": "more developed",
    "PT18": "less developed",
}
DEVELOPMENT_LEVEL = {
    "more developed": "more_developed",
    "transition": "transition",
    "less developed": "less_developed",
}


def read_table(path):
    """Rows of a CSV whose comment lines start with '#', as dicts."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def by_code(path, key="code"):
    rows = read_table(path)
    table = {row[key]: row for row in rows}
    if len(table) != len(rows):
        raise SystemExit(f"{path}: duplicate {key}")
    return table


def sector_shares():
    """(key, default_sme_share) of the model's 14 ecosystems, read from sectors.hpp so the
    EU mix is declared once."""
    text = SECTORS_HPP.read_text(encoding="utf-8")
    pairs = re.findall(r'\{"([a-z_]+)",\s*"[^"]*",\s*([0-9.]+)[,}]', text)
    if len(pairs) != 14:
        raise SystemExit(f"{SECTORS_HPP}: expected 14 sectors in kSectors, found {len(pairs)}")
    return [(key, float(share)) for key, share in pairs]


def apportion(total, weights):
    """Largest-remainder split of the integer total over weights (ties by index), as the
    model's apportion() in models/cluster/world.cpp: the parts sum to total exactly."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def cohesion_category(code, gdp_text):
    """(category, basis) for the 2021-2027 period; basis says how it was obtained."""
    if code in RECALLED_CATEGORIES:
        return RECALLED_CATEGORIES[code], "recalled"
    gdp = float(gdp_text)
    if gdp < LESS_DEVELOPED_BELOW_PCT:
        category = "less developed"
    elif gdp <= MORE_DEVELOPED_ABOVE_PCT:
        category = "transition"
    else:
        category = "more developed"
    near = min(abs(gdp - LESS_DEVELOPED_BELOW_PCT), abs(gdp - MORE_DEVELOPED_ABOVE_PCT))
    return category, "gdp_rule_borderline" if near <= BORDERLINE_MARGIN_PCT else "gdp_rule"


def country_smes(codes, populations):
    """SMEs per region: country totals (shares estimated, EU total sourced) shared among the
    country's regions in proportion to population."""
    estimates = read_table(SOURCES / "country_smes.csv")
    countries = [row["country"] for row in estimates]
    totals = dict(zip(countries, apportion(EU27_TOTAL_SMES, [float(r["smes_thousands"]) for r in estimates])))
    smes = {}
    for country in countries:
        members = [c for c in codes if c[:2] == country]
        if not members:
            raise SystemExit(f"country_smes.csv: no region of country {country}")
        for code, n in zip(members, apportion(totals[country], [populations[c] for c in members])):
            smes[code] = n
    missing = [c for c in codes if c not in smes]
    if missing:
        raise SystemExit(f"country_smes.csv: no SME total for the countries of {missing}")
    return smes


def build_rows():
    labels = by_code(SOURCES / "labels_nuts2021.csv")
    points = by_code(SOURCES / "points_nuts2021.csv")
    population = by_code(SOURCES / "population.csv")
    gdp = by_code(SOURCES / "gdp_pps_2015_2017.csv")
    codes = sorted(labels)
    for name, table in (("points", points), ("population", population), ("gdp", gdp)):
        if sorted(table) != codes:
            raise SystemExit(f"sources/{name}: region codes differ from labels_nuts2021.csv")
    sectors = sector_shares()
    smes = country_smes(codes, {c: int(population[c]["population"]) for c in codes})
    rows = []
    for code in codes:
        category, basis = cohesion_category(code, gdp[code]["gdp_pps_pct_eu27_2015_2017"])
        row = {
            "code": code,
            "name": labels[code]["name"],
            "name_latin": labels[code]["name_latin"],
            "country": code[:2],
            "lon": points[code]["lon"],
            "lat": points[code]["lat"],
            "point_method": points[code]["method"],
            "cohesion_category_2021_2027": category,
            "cohesion_category_basis": basis,
            "gdp_pps_pct_eu27_2015_2017": gdp[code]["gdp_pps_pct_eu27_2015_2017"],
            "population": population[code]["population"],
            "population_year": population[code]["year"],
            "population_source": population[code]["source"],
            "smes": smes[code],
        }
        for (key, _), n in zip(sectors, apportion(smes[code], [share for _, share in sectors])):
            row["smes_" + key] = n
        rows.append(row)
    return rows, [key for key, _ in sectors]


def model_rows(rich_rows, sector_keys):
    """The reader's columns, derived from the documented table only."""
    out = []
    for row in rich_rows:
        model = {
            "code": row["code"],
            "name": row["name_latin"],
            "country": row["country"],
            "development_level": DEVELOPMENT_LEVEL[row["cohesion_category_2021_2027"]],
            "lon": row["lon"],
            "lat": row["lat"],
        }
        for key in sector_keys:
            model["smes_" + key] = row["smes_" + key]
        out.append(model)
    return out


RICH_HEADER = """\
# NUTS 2021 level-2 regions of the EU-27 (242): names, representative points, 2021-2027 cohesion category,
# population and SMEs (total and by the model's 14 industrial ecosystems). Generated by data/regions/build.py
# from data/regions/sources/; columns, sources, dates, methods and which figures are estimates: docs/DATA.md.
"""
MODEL_HEADER = """\
# The 242 NUTS 2021 level-2 regions of the EU-27 in the model's regions-CSV format (population.regions_file).
# Generated by data/regions/build.py from nuts2021_eu27.csv; name is the Latin-script label, development_level
# the 2021-2027 cohesion category. SME counts sum to 25.8 million; population.smes rescales them. docs/DATA.md.
"""


def render(header, rows):
    buf = io.StringIO()
    buf.write(header)
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def outputs():
    rich, sector_keys = build_rows()
    return {RICH_CSV: render(RICH_HEADER, rich), MODEL_CSV: render(MODEL_HEADER, model_rows(rich, sector_keys))}


def print_centroids(path):
    """Area-weighted centroid (planar lon/lat, fine for regions of a few degrees) of each geometry."""
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices):
        points = []
        for i in indices:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points += part if not points else part[1:]
        return points

    for obj in topo["objects"].values():
        for geom in obj["geometries"]:
            polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
            area = cx = cy = 0.0
            for polygon in polygons:
                for r in (ring(idx) for idx in polygon):
                    for (x0, y0), (x1, y1) in zip(r, r[1:] + r[:1]):
                        cross = x0 * y1 - x1 * y0
                        area += cross / 2
                        cx += (x0 + x1) * cross / 6
                        cy += (y0 + y1) * cross / 6
            print(f"{geom['properties']['id']},{cx / area:.3f},{cy / area:.3f}")


def main(argv):
    if len(argv) == 3 and argv[1] == "--centroids":
        print_centroids(argv[2])
        return 0
    if len(argv) == 2 and argv[1] == "--check":
        stale = [p for p, text in outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path}: differs from a rebuild; run {Path(argv[0]).name}", file=sys.stderr)
        return 1 if stale else 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for path, text in outputs().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
