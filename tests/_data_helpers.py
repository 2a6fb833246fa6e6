"""Helpers for the contribution data tests: small files in the published layouts."""

from __future__ import annotations

from pathlib import Path

GENDER_HEADER = (
    '"","Date","Contributor","Contributor ISO-3","Mission","Individual Police Male",'
    '"Individual Police Female","Individual Police Total","Formed Police Units Male",'
    '"Formed Police Units Female","Formed Police Units Total","Experts on Mission Male",'
    '"Experts on Mission Female","Experts on Mission Total","Troops Male","Troops Female",'
    '"Troops Total","Total Male","Total Female","Total Total"'
)


def gender_row(
    n: int,
    date: str,
    name: str,
    iso: str,
    mission: str,
    ip: tuple[int, int] = (0, 0),
    troops: tuple[int, int] = (0, 0),
    total: int | None = None,
) -> str:
    """One Gender.Full row: individual police and troops (male, female); totals computed."""
    tm, tf = ip[0] + troops[0], ip[1] + troops[1]
    tt = tm + tf if total is None else total
    cells = [
        f'"{n}"',
        date,
        f'"{name}"',
        f'"{iso}"',
        f'"{mission}"',
        ip[0],
        ip[1],
        ip[0] + ip[1],
        0,
        0,
        0,
        0,
        0,
        0,
        troops[0],
        troops[1],
        troops[0] + troops[1],
        tm,
        tf,
        tt,
    ]
    return ",".join(str(c) for c in cells)


def write_gender(path: Path, rows: list[str]) -> Path:
    """Write a Gender.Full-style file."""
    path.write_text("\n".join([GENDER_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def sample_gender(path: Path, month: str = "2012-03-31") -> Path:
    """Three valid rows for one month."""
    return write_gender(
        path,
        [
            gender_row(1, month, "Albania", "ALB", "UNMIL", ip=(12, 1)),
            gender_row(2, month, "Ghana", "GHA", "UNMIL", ip=(20, 5), troops=(700, 40)),
            gender_row(3, month, "Ghana", "GHA", "UNOCI", troops=(500, 10)),
        ],
    )
