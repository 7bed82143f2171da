#!/usr/bin/env python3
"""Writes app/pyruntime/streamlit-releases.tsv: each final release of Streamlit on PyPI with the
time its first file was uploaded (UTC), oldest first. Desklit resolves a project that pins an
older Streamlit as of the day the next release came out (app/pyruntime/asof.go). Run it when the
bundled Streamlit is raised: python3 scripts/streamlit-releases.py"""
import json
import pathlib
import re
import urllib.request

FINAL = re.compile(r"^\d+(\.\d+)*$")
OUT = pathlib.Path(__file__).resolve().parent.parent / "app" / "pyruntime" / "streamlit-releases.tsv"


def key(v):
    return tuple(int(p) for p in v.split("."))


with urllib.request.urlopen("https://pypi.org/pypi/streamlit/json", timeout=60) as r:
    releases = json.load(r)["releases"]
rows = []
for version, files in releases.items():
    times = [f["upload_time_iso_8601"] for f in files if not f.get("yanked")]
    if FINAL.match(version) and times:
        rows.append((version, min(times)[:19] + "Z"))
rows.sort(key=lambda r: key(r[0]))
OUT.write_text("# streamlit release\tfirst upload (UTC), from https://pypi.org/pypi/streamlit/json (scripts/streamlit-releases.py)\n"
               + "".join(f"{v}\t{t}\n" for v, t in rows))
print(f"{OUT}: {len(rows)} releases, {rows[0][0]} to {rows[-1][0]}")
