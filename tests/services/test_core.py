"""The core object: one engine per store, the data folder it names, errors mapped once."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli import app
from bluehelmet.errors import StoreError
from bluehelmet.services import data
from bluehelmet.services.core import Core, close_default_cores, default_core
from tests._data_helpers import sample_gender

runner = CliRunner()


def test_core_names_its_home_and_shares_one_engine(tmp_path: Path) -> None:
    with Core(home=tmp_path / "a") as core:
        assert core.home == tmp_path / "a"
        assert core.data_dir == tmp_path / "a" / "contributions"
        assert core.database_url == f"sqlite:///{tmp_path / 'a' / 'bluehelmet.sqlite'}"
        assert core.engine is core.engine
    assert core._engine is None


def test_the_core_decides_the_data_folder_not_the_environment(
    tmp_path: Path, bluehelmet_home: Path
) -> None:
    elsewhere = Core(home=tmp_path / "elsewhere")
    data.import_files([sample_gender(tmp_path / "g.csv")], core=elsewhere)
    assert list((tmp_path / "elsewhere" / "contributions").rglob("*.parquet"))
    assert not (bluehelmet_home / "contributions").exists()
    assert data.contributions(core=elsewhere)["count"].sum() == 13 + 765 + 510
    assert data.contributions().height == 0
    elsewhere.close()


def test_default_core_is_one_per_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUEHELMET_HOME", str(tmp_path / "x"))
    first = default_core()
    assert default_core() is first
    monkeypatch.setenv("BLUEHELMET_HOME", str(tmp_path / "y"))
    assert default_core() is not first
    close_default_cores()
    monkeypatch.setenv("BLUEHELMET_HOME", str(tmp_path / "x"))
    assert default_core() is not first


def test_safe_database_url_hides_the_password() -> None:
    core = Core(database_url="postgresql+psycopg://user:secret@127.0.0.1:1/db")
    assert "secret" not in core.safe_database_url and "***" in core.safe_database_url
    assert "secret" not in repr(core)


def test_version_and_help_without_markup() -> None:
    from bluehelmet import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"bluehelmet {__version__}"
    helptext = runner.invoke(app, ["--help"]).output
    assert "[bold" not in helptext and "``" not in helptext


def test_errors_are_mapped_once_to_a_message_and_exit_code(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["registry", "mission", "MINUSCO"])
    assert bad.exit_code == 1 and "did you mean" in bad.output
    assert "Traceback" not in bad.output
    down = runner.invoke(
        app, ["init", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    )
    assert down.exit_code == 1 and "Traceback" not in down.output
    notaurl = runner.invoke(app, ["init", "--database-url", "not a url"])
    assert notaurl.exit_code == 1 and "database_url" in notaurl.output


def test_a_file_system_error_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    (home / "contributions").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BLUEHELMET_HOME", str(home))
    result = runner.invoke(app, ["data", "import", str(sample_gender(tmp_path / "g.csv"))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    close_default_cores()


def test_the_core_keeps_rows_until_the_files_in_force_change(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    data.import_files([sample_gender(tmp_path / "g.csv")], core=core)
    first = data.scan("contributions", core=core).collect()
    assert first["count"].sum() == 13 + 765 + 510
    [(files, kept)] = core._frames.values()
    assert data.scan("contributions", core=core).collect().equals(first)
    assert core._frames["contributions"][1] is kept  # read once, served again
    # a new import changes the files in force: the next read sees its rows
    data.import_files([sample_gender(tmp_path / "h.csv", month="2012-04-30")], core=core)
    both = data.scan("contributions", core=core).collect()
    assert both["count"].sum() == 2 * (13 + 765 + 510)
    assert core._frames["contributions"][0] != files
    # a file damaged after it was read is still refused, although its rows are kept
    stored = next((tmp_path / "home" / "contributions").rglob("*.parquet"))
    content = bytearray(stored.read_bytes())
    content[len(content) // 2 : len(content) // 2 + 4] = b"\xff\xfe\xfd\xfc"
    stored.write_bytes(bytes(content))
    with pytest.raises(StoreError, match="damaged"):
        data.scan("contributions", core=core)
    core.close()
    assert core._frames == {}


def test_the_kept_rows_keep_their_key_codes_until_the_files_change(tmp_path: Path) -> None:
    import gc

    from bluehelmet import analytics
    from bluehelmet.analytics._coded import _KEPT, coded_rows
    from bluehelmet.services import analytics as questions

    core = Core(home=tmp_path / "home")
    data.import_files([sample_gender(tmp_path / "g.csv")], core=core)
    rows = data.read("contributions", core=core)
    coded = coded_rows(rows)
    assert coded is not None and coded is coded_rows(data.read("contributions", core=core))
    first = questions.shares(core=core).table
    assert first.equals(analytics.shares(rows.lazy()))  # the coded answer is the text one
    assert coded.key("contributor").values.to_list() == sorted(set(rows["contributor"]))
    # a new import: new rows, new codes; the old ones go with the old rows
    data.import_files([sample_gender(tmp_path / "h.csv", month="2012-04-30")], core=core)
    both = data.read("contributions", core=core)
    assert both is not rows and coded_rows(both) is not coded
    assert questions.shares(core=core).table["person_months"].sum() == 2 * (13 + 765 + 510)
    old = id(rows)
    del rows, coded
    gc.collect()
    assert old not in _KEPT
    core.close()


def test_another_core_importing_into_the_same_store_is_seen(tmp_path: Path) -> None:
    reader = Core(home=tmp_path / "home")
    writer = Core(home=tmp_path / "home")
    data.import_files([sample_gender(tmp_path / "g.csv")], core=writer)
    assert data.scan("contributions", core=reader).collect().height > 0
    before = data.scan("contributions", core=reader).collect()["count"].sum()
    data.import_files([sample_gender(tmp_path / "h.csv", month="2012-04-30")], core=writer)
    assert data.scan("contributions", core=reader).collect()["count"].sum() == 2 * before
    reader.close()
    writer.close()


def test_contributions_resolve_names_as_the_registry_does(
    tmp_path: Path, bluehelmet_home: Path
) -> None:
    from bluehelmet.errors import UnknownNameError

    data.import_files([sample_gender(tmp_path / "g.csv")])
    by_code = data.contributions(contributor="GHA")["count"].sum()
    assert by_code == 765 + 510
    assert data.contributions(contributor="ghana")["count"].sum() == by_code
    assert data.contributions(contributor=["gh"], mission="unoci")["count"].sum() == 510
    with pytest.raises(UnknownNameError, match="did you mean"):
        data.contributions(contributor="Ghanna")
