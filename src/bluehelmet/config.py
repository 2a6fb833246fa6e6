"""Settings: the data folder and the database URL, read from the environment."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("bluehelmet", appauthor=False))


class Settings(BaseSettings):
    """Where bluehelmet keeps its data.

    ``BLUEHELMET_HOME`` selects the data folder (default: the platform's user data dir);
    ``BLUEHELMET_DATABASE_URL`` selects the database (default: SQLite file in that folder).
    """

    model_config = SettingsConfigDict(env_prefix="BLUEHELMET_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force: the explicit one or the SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'bluehelmet.sqlite'}"

    @property
    def contributions_dir(self) -> Path:
        """Folder of the Parquet files that hold the normalized contributions."""
        return self.home / "contributions"

    @property
    def cache_dir(self) -> Path:
        """Folder for downloaded source files."""
        return self.home / "cache"


def get_settings() -> Settings:
    """Read the settings from the environment now (not cached: tests change it)."""
    return Settings()
