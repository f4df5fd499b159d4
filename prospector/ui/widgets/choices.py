"""Combo boxes of stages and temperatures, each item with its one-line definition as tooltip."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from prospector.domain.stages import Stage, Temperature
from prospector.ui.labels import (
    stage_definition,
    stage_label,
    temperature_definition,
    temperature_label,
)


def add_stage_items(combo: QComboBox, stages: Iterable[Stage]) -> None:
    for stage in stages:
        combo.addItem(stage_label(stage), stage)
        combo.setItemData(combo.count() - 1, stage_definition(stage), Qt.ItemDataRole.ToolTipRole)


def add_temperature_items(combo: QComboBox, temperatures: Iterable[Temperature]) -> None:
    for temperature in temperatures:
        combo.addItem(temperature_label(temperature), temperature)
        combo.setItemData(
            combo.count() - 1, temperature_definition(temperature), Qt.ItemDataRole.ToolTipRole
        )
