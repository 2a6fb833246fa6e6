"""Partnership offers for planning: read and write offer files (CSV or YAML/JSON) and add them
to a scenario. The parsing and validation live in :mod:`bluehelmet.forcegen.partnerships`;
this module only does the file I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bluehelmet.domain.planning import PartnershipOffer, Scenario
from bluehelmet.errors import InputError
from bluehelmet.forcegen.partnerships import (
    offers_from_csv_text,
    offers_from_yaml_text,
    offers_to_csv_text,
    offers_to_yaml_text,
    with_offers,
)

#: Largest offers file read (bytes).
MAX_OFFERS_BYTES = 10 * 1024 * 1024
_YAML = (".yaml", ".yml", ".json")


def read_offers(path: str | Path) -> tuple[PartnershipOffer, ...]:
    """Offers from a ``.csv`` file or a ``.yaml``/``.yml``/``.json`` file.

    Raises :class:`~bluehelmet.errors.InputError` naming the file, line and field.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix != ".csv" and suffix not in _YAML:
        msg = f"offers file must end in .csv, {', '.join(_YAML)}; got {suffix or 'no suffix'!r}"
        raise InputError(msg, file=path)
    try:
        size = path.stat().st_size
        if size > MAX_OFFERS_BYTES:
            msg = f"offers file is {size / 1e6:,.1f} MB; the limit is {MAX_OFFERS_BYTES / 1e6:g} MB"
            raise InputError(msg, file=path)
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        msg = f"cannot read offers: {exc.strerror}"
        raise InputError(msg, file=path) from None
    except UnicodeDecodeError:
        msg = "offers file is not UTF-8 text"
        raise InputError(msg, file=path) from None
    if suffix == ".csv":
        return offers_from_csv_text(text, file=str(path))
    return offers_from_yaml_text(text, file=str(path))


def write_offers(offers: Iterable[PartnershipOffer], path: str | Path) -> Path:
    """Write ``offers`` as CSV (``.csv``) or YAML (``.yaml``/``.yml``); return the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = offers_to_csv_text(offers)
    elif suffix in {".yaml", ".yml"}:
        text = offers_to_yaml_text(offers)
    else:
        msg = f"offers can be written as .csv, .yaml or .yml; got {suffix or 'no suffix'!r}"
        raise InputError(msg, file=path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        msg = f"cannot write offers: {exc.strerror}"
        raise InputError(msg, file=path) from None
    return path


def scenario_with_offer_files(scenario: Scenario, paths: Iterable[str | Path]) -> Scenario:
    """``scenario`` with the offers of every file in ``paths`` added (ids must stay unique)."""
    for path in paths:
        try:
            scenario = with_offers(scenario, read_offers(path))
        except InputError as exc:
            if exc.file is None:
                raise InputError(exc.reason, file=path, field=exc.field) from None
            raise
    return scenario
