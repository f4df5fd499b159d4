"""Settings that travel with the database (not with the window): the office's default country
and its own names for the pipeline stages."""

from __future__ import annotations

import locale
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.regions import SUPPORTED_REGIONS
from prospector.domain.stages import Stage
from prospector.storage.source_repository import SettingsRepository

DEFAULT_COUNTRY_KEY = "default_country"
STAGE_NAMES_KEY = "stage_names"
BACKUP_FOLDER_KEY = "backup_folder"
BACKUP_KEEP_KEY = "backup_keep"
MAX_STAGE_LABEL = 40
MAX_STAGE_DEFINITION = 200


@dataclass(frozen=True)
class StageName:
    """An office's own words for a stage; an empty field means the standard (translated) one."""

    label: str = ""
    definition: str = ""


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

    # -- the office's stage names ----------------------------------------------------------------

    def stage_names(self) -> dict[Stage, StageName]:
        """The stages the office renamed; stages it did not rename are absent.

        Unknown stages (written by a newer Prospector) and malformed entries are skipped, so an
        odd value never stops the window from opening.
        """
        with self._sessions() as session:
            stored = SettingsRepository(session).get(STAGE_NAMES_KEY)
        if not isinstance(stored, dict):
            return {}
        names: dict[Stage, StageName] = {}
        for value, entry in stored.items():
            if value not in {s.value for s in Stage} or not isinstance(entry, dict):
                continue
            name = StageName(
                str(entry.get("label") or "").strip(), str(entry.get("definition") or "").strip()
            )
            if name.label or name.definition:
                names[Stage(value)] = name
        return names

    def set_stage_names(self, names: Mapping[Stage, StageName]) -> None:
        """Replace the office's stage names; blank names are dropped (the standard one shows).

        Raises:
            ValueError: a label or definition longer than the window can show.
        """
        cleaned: dict[str, dict[str, str]] = {}
        for stage, name in names.items():
            label, definition = name.label.strip(), name.definition.strip()
            if len(label) > MAX_STAGE_LABEL or len(definition) > MAX_STAGE_DEFINITION:
                raise ValueError(f"stage name too long for {stage}")
            if label or definition:
                cleaned[Stage(stage).value] = {"label": label, "definition": definition}
        with self._sessions.begin() as session:
            SettingsRepository(session).set(STAGE_NAMES_KEY, cleaned)

    # -- backups (read and checked by services/backups.py) ---------------------------------------

    def backup_folder(self) -> str | None:
        """The folder the rep chose for backups; None: the one beside the database."""
        with self._sessions() as session:
            stored = SettingsRepository(session).get(BACKUP_FOLDER_KEY)
        return stored if isinstance(stored, str) and stored else None

    def set_backup_folder(self, folder: str | None) -> None:
        with self._sessions.begin() as session:
            SettingsRepository(session).set(BACKUP_FOLDER_KEY, folder)

    def backup_keep(self) -> tuple[int, int] | None:
        """(days, weeks) of backups to keep as the rep set them; None: never set, or odd."""
        with self._sessions() as session:
            stored = SettingsRepository(session).get(BACKUP_KEEP_KEY)
        if not isinstance(stored, dict):
            return None
        days, weeks = stored.get("days"), stored.get("weeks")
        if not isinstance(days, int) or not isinstance(weeks, int):
            return None
        return days, weeks

    def set_backup_keep(self, keep: tuple[int, int] | None) -> None:
        """Store (days, weeks); None goes back to the defaults."""
        value = None if keep is None else {"days": keep[0], "weeks": keep[1]}
        with self._sessions.begin() as session:
            SettingsRepository(session).set(BACKUP_KEEP_KEY, value)

    def forget_cached(self) -> None:
        """After a restore: the next read comes from the (restored) database."""
        self._default_country = None
