"""Render one picture of each chart kind from the real data, for docs/analytics.md.

Imports the real files of ../shared/data into a temporary store and writes PNG files to
docs/img/. Run: ``python benchmarks/chart_images.py`` (the files are committed; the data is
not).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent.parent / "shared" / "data"
FILES = (
    "un_rank/Rank_2021-01.csv",
    "ipi_tcc/Gender.Full.csv",
    "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "ipi_ppp/ppp_files/data_mission.csv",
    "tamm/TAMM.csv",
    "geopko/geopko.csv",
)


def main(out: Path = ROOT / "docs" / "img") -> None:
    """Import the real files and write one PNG per chart kind to ``out``."""
    from bluehelmet.analytics.charts import save_chart
    from bluehelmet.services import analytics as service
    from bluehelmet.services.core import Core
    from bluehelmet.services.data import import_files

    data = DATA if DATA.is_dir() else Path("/work/shared/data")
    paths = [data / f for f in FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"real data files are absent: {', '.join(missing)}", file=sys.stderr)
        raise SystemExit(1)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home, Core(home=home) as core:
        import_files(paths, skip_unknown=True, core=core)
        pictures = {
            "rank.png": service.rank("2021-01", top=20, chart=True, core=core).chart,
            "rank-map.png": service.rank("2021-01", world_map=True, core=core).map,
            "shares.png": service.shares(
                by="region", start="2010-01", end="2021-12", chart=True, core=core
            ).chart,
            "shares-contributors.png": service.shares(
                start="2012-01", end="2012-12", chart=True, core=core
            ).chart,
            "concentration.png": service.concentration(chart=True, core=core).chart,
            "missions.png": service.missions(
                start="1995-01", end="2017-03", chart=True, core=core
            ).chart,
            "parity.png": service.parity(
                by="contributor", start="2013-01", end="2013-12", chart=True, top=15, core=core
            ).chart,
            "fatalities.png": service.fatalities(
                by="year,incident_type", start="1990-01", chart=True, core=core
            ).chart,
            "fatality-rates.png": service.fatalities(
                by="mission", rates=True, chart=True, core=core
            ).chart,
            "locations.png": service.locations(
                missions="MONUSCO", start="2015-01", end="2015-12", chart=True, core=core
            ).map,
        }
        for name, chart in pictures.items():
            save_chart(chart, out / name, scale=1.5)
            print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
