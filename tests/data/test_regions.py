#!/usr/bin/python3
"""Checks of the EU-27 NUTS 2021 region tables in data/regions/ (docs/DATA.md).

Run directly (ctest runs it as data_regions) or under pytest. Standard library only.
"""

import csv
import re
import subprocess
import sys
import unittest
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REGIONS = REPO / "data" / "regions"
RICH_CSV = REGIONS / "nuts2021_eu27.csv"
MODEL_CSV = REGIONS / "nuts2021_eu27_model.csv"
COUNTRY_SMES_CSV = REGIONS / "sources" / "country_smes.csv"
SECTORS_HPP = REPO / "models" / "cluster" / "sectors.hpp"

EU27 = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
        "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
EU27_SMES = 25_800_000
CATEGORIES = {"more developed": "more_developed", "transition": "transition", "less developed": "less_developed"}
# Continental Europe, the Mediterranean islands and Cyprus, the Nordic and Baltic regions.
MAINLAND_LON, MAINLAND_LAT = (-11.0, 35.0), (34.0, 71.0)
# The EU's outermost regions that are NUTS-2 regions, each with a box around its territory.
OUTERMOST = {
    "ES70": ((-18.5, -13.0), (27.0, 29.5)),   # Canarias
    "FRY1": ((-62.0, -60.8), (15.8, 16.6)),   # Guadeloupe
    "FRY2": ((-61.3, -60.7), (14.3, 15.0)),   # Martinique
    "FRY3": ((-55.0, -51.5), (2.0, 6.0)),     # Guyane
    "FRY4": ((55.0, 56.0), (-21.5, -20.8)),   # La Réunion
    "FRY5": ((44.9, 45.4), (-13.1, -12.5)),   # Mayotte
    "PT20": ((-31.5, -24.5), (36.8, 40.0)),   # Região Autónoma dos Açores
    "PT30": ((-17.5, -16.0), (32.3, 33.2)),   # Região Autónoma da Madeira
}


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def header(path):
    with open(path, encoding="utf-8", newline="") as f:
        return next(csv.reader(line for line in f if not line.startswith("#")))


def sector_keys():
    keys = re.findall(r'\{"([a-z_]+)",\s*"[^"]*",\s*[0-9.]+[,}]', SECTORS_HPP.read_text(encoding="utf-8"))
    assert len(keys) == 14, keys
    return keys


def sector_shares():
    pairs = re.findall(r'\{"([a-z_]+)",\s*"[^"]*",\s*([0-9.]+)[,}]', SECTORS_HPP.read_text(encoding="utf-8"))
    return {key: float(share) for key, share in pairs}


def within(value, bounds):
    return bounds[0] <= value <= bounds[1]


class RegionTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rich = read_rows(RICH_CSV)
        cls.model = read_rows(MODEL_CSV)
        cls.keys = sector_keys()

    def test_242_regions_with_unique_nuts2_codes(self):
        self.assertEqual(len(self.rich), 242)
        self.assertEqual(len(self.model), 242)
        codes = [r["code"] for r in self.rich]
        self.assertEqual(len(set(codes)), 242)
        for code in codes:
            self.assertRegex(code, r"^[A-Z]{2}[0-9A-Z]{2}$")

    def test_27_countries_and_country_is_the_code_prefix(self):
        self.assertEqual({r["country"] for r in self.rich}, EU27)
        for r in self.rich:
            self.assertEqual(r["country"], r["code"][:2], r["code"])

    def test_names_are_present_and_trimmed(self):
        for r in self.rich:
            for column in ("name", "name_latin"):
                self.assertTrue(r[column], (r["code"], column))
                self.assertEqual(r[column], r[column].strip(), (r["code"], column))
        self.assertEqual(next(r for r in self.rich if r["code"] == "EL30")["name"], "Αττική")

    def test_categories_are_valid_and_follow_the_gdp_rule_where_it_was_applied(self):
        for r in self.rich:
            category = r["cohesion_category_2021_2027"]
            self.assertIn(category, CATEGORIES, r["code"])
            self.assertIn(r["cohesion_category_basis"], {"gdp_rule", "gdp_rule_borderline", "recalled"}, r["code"])
            if r["cohesion_category_basis"] == "recalled":
                continue
            gdp = float(r["gdp_pps_pct_eu27_2015_2017"])
            expected = "less developed" if gdp < 75 else "transition" if gdp <= 100 else "more developed"
            self.assertEqual(category, expected, r["code"])
            borderline = min(abs(gdp - 75), abs(gdp - 100)) <= 3
            self.assertEqual(r["cohesion_category_basis"] == "gdp_rule_borderline", borderline, r["code"])
        counts = defaultdict(int)
        for r in self.rich:
            counts[r["cohesion_category_2021_2027"]] += 1
        for category in CATEGORIES:  # every category is represented, none dominates
            self.assertTrue(40 <= counts[category] <= 120, counts)

    def test_points_lie_in_europe_or_in_the_known_outermost_region(self):
        for r in self.rich:
            lon, lat = float(r["lon"]), float(r["lat"])
            lon_box, lat_box = OUTERMOST.get(r["code"], (MAINLAND_LON, MAINLAND_LAT))
            self.assertTrue(within(lon, lon_box) and within(lat, lat_box), (r["code"], lon, lat))

    def test_population_is_a_positive_count_with_its_year(self):
        for r in self.rich:
            self.assertGreater(int(r["population"]), 10_000, r["code"])
            self.assertIn(r["population_year"], {"2021", "2022"}, r["code"])
        total = sum(int(r["population"]) for r in self.rich)
        self.assertTrue(440e6 < total < 460e6, total)  # EU-27: about 447 million in 2021

    def test_smes_sum_to_the_country_totals(self):
        estimates = {r["country"]: float(r["smes_thousands"]) for r in read_rows(COUNTRY_SMES_CSV)}
        self.assertEqual(set(estimates), EU27)
        by_country = defaultdict(int)
        for r in self.rich:
            by_country[r["country"]] += int(r["smes"])
        self.assertEqual(sum(by_country.values()), EU27_SMES)
        weight_sum = sum(estimates.values())
        for country, smes in by_country.items():
            # Largest-remainder apportionment: every part is within one SME of its exact share.
            self.assertLess(abs(smes - EU27_SMES * estimates[country] / weight_sum), 1.0, country)

    def test_regional_smes_follow_population_within_the_country(self):
        rows_of = defaultdict(list)
        for r in self.rich:
            rows_of[r["country"]].append(r)
        for country, rows in rows_of.items():
            smes = sum(int(r["smes"]) for r in rows)
            population = sum(int(r["population"]) for r in rows)
            for r in rows:
                exact = smes * int(r["population"]) / population
                self.assertLess(abs(int(r["smes"]) - exact), 1.0, r["code"])

    def test_sector_counts_sum_to_the_region_and_follow_the_eu_mix(self):
        shares = sector_shares()
        for r in self.rich:
            smes = int(r["smes"])
            self.assertEqual(sum(int(r["smes_" + k]) for k in self.keys), smes, r["code"])
            for k in self.keys:
                self.assertLess(abs(int(r["smes_" + k]) - smes * shares[k]), 1.0, (r["code"], k))

    def test_model_csv_has_the_readers_columns(self):
        expected = ["code", "name", "country", "development_level", "lon", "lat"] + ["smes_" + k for k in self.keys]
        self.assertEqual(header(MODEL_CSV), expected)

    def test_model_csv_round_trips_from_the_documented_table(self):
        for rich, model in zip(self.rich, self.model):
            derived = {
                "code": rich["code"],
                "name": rich["name_latin"],
                "country": rich["country"],
                "development_level": CATEGORIES[rich["cohesion_category_2021_2027"]],
                "lon": rich["lon"],
                "lat": rich["lat"],
            }
            derived.update({"smes_" + k: rich["smes_" + k] for k in self.keys})
            self.assertEqual(model, derived, rich["code"])

    def test_build_script_reproduces_both_files(self):
        run = subprocess.run([sys.executable, str(REGIONS / "build.py"), "--check"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
