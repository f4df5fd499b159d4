"""Settings that travel with the database (not with the window): the office's default country."""

from __future__ import annotations

import locale

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.regions import SUPPORTED_REGIONS
from prospector.storage.source_repository import SettingsRepository

DEFAULT_COUNTRY_KEY = "default_country"


def guess_region_from_locale() -> str:
    """The region of the computer's locale ('fr_FR' -> 'FR'), else 'US'."""
    name = locale.getlocale()[0] or ""
    region = name.replace("-", "_").split("_")[-1].upper() if "_" in name or "-" in name else ""
    return region if region in SUPPORTED_REGIONS else "US"


class SettingsService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._default_country: str | None = None

    def chosen_default_country(self) -> str | None:
        """The country the office set, or None when only the locale's guess is known."""
        with self._sessions() as session:
            return SettingsRepository(session).get(DEFAULT_COUNTRY_KEY)

    def default_country(self) -> str:
        """The region used to read phone numbers typed without a country code."""
        if self._default_country is None:
            with self._sessions() as session:
                stored = SettingsRepository(session).get(DEFAULT_COUNTRY_KEY)
            self._default_country = stored or guess_region_from_locale()
        return self._default_country

    def set_default_country(self, region: str) -> None:
        region = region.upper()
        if region not in SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {region}")
        with self._sessions.begin() as session:
            SettingsRepository(session).set(DEFAULT_COUNTRY_KEY, region)
        self._default_country = region
