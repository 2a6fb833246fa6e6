"""The top-level API: every exported name resolves, lazily, to the object that defines it."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import bluehelmet


@pytest.mark.parametrize("name", sorted(set(bluehelmet.__all__) - {"__version__"}))
def test_every_exported_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(bluehelmet, name)
    module = bluehelmet._EXPORTS[name]
    expected = importlib.import_module(module)
    assert value is (expected if name == "forcegen" else getattr(expected, name))
    assert name in dir(bluehelmet)


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = bluehelmet.nonsense  # type: ignore[attr-defined]


def test_importing_the_registry_does_not_load_the_solver_or_duckdb() -> None:
    code = (
        "import sys, bluehelmet.reference as r; r.find_country('DR Congo'); "
        "print(sorted(m for m in ('highspy', 'duckdb', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
