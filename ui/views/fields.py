"""An editor widget for one settings field, chosen from its type (int, float, bool,
str, list of str, optional numbers), so a section added to the settings later (e.g.
notifications) gets a form without new UI code."""

from __future__ import annotations

import types
import typing
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget


def _bounds(field) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        if getattr(m, "gt", None) is not None:
            lo = m.gt
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        if getattr(m, "lt", None) is not None:
            hi = m.lt
    return lo, hi


def _base(annotation) -> tuple[Any, bool]:
    """(the type without None, whether None is allowed)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else str), True
    return annotation, False


class FieldEditor:
    """Wraps a widget: ``value()`` returns what the field should be set to."""

    def __init__(self, name: str, field, current: Any):
        self.name = name
        self.kind, self.optional = _base(field.annotation)
        lo, hi = _bounds(field)
        self.widget: QWidget
        if self.kind is bool:
            self.widget = QCheckBox()
            self.widget.setChecked(bool(current))
        elif self.kind is int:
            w = QSpinBox()
            w.setRange(int(lo) if lo is not None else (-1 if self.optional else 0),
                       int(hi) if hi is not None else 1_000_000)
            if self.optional:
                w.setSpecialValueText("default")
                w.setMinimum(w.minimum() - 1 if lo is not None else -1)
            w.setValue(current if current is not None else w.minimum())
            self.widget = w
        elif self.kind is float:
            w = QDoubleSpinBox()
            w.setDecimals(2)
            w.setRange(float(lo) if lo is not None else 0.0,
                       float(hi) if hi is not None else 1_000_000.0)
            if self.optional:
                w.setMinimum(w.minimum() - 1)
                w.setSpecialValueText("off")
            w.setValue(current if current is not None else w.minimum())
            self.widget = w
        elif typing.get_origin(self.kind) is list:
            self.widget = QLineEdit(", ".join(map(str, current or [])))
            self.widget.setPlaceholderText("comma-separated")
        else:
            self.widget = QLineEdit("" if current is None else str(current))
        if isinstance(self.widget, QSpinBox | QDoubleSpinBox):
            self.widget.setMinimumWidth(110)
            self.widget.setMaximumWidth(160)
        elif isinstance(self.widget, QLineEdit):
            self.widget.setMinimumWidth(160)
        self.widget.setObjectName(f"field_{name}")
        if field.description:
            self.widget.setToolTip(field.description)

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            if self.optional and w.value() == w.minimum():
                return None
            return w.value()
        text = w.text().strip()
        if typing.get_origin(self.kind) is list:
            return [t.strip() for t in text.split(",") if t.strip()]
        return None if (self.optional and not text) else text

    def set_value(self, v: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(v))
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setValue(w.minimum() if v is None else v)
        elif isinstance(v, list):
            w.setText(", ".join(map(str, v)))
        else:
            w.setText("" if v is None else str(v))


LABELS = {
    "interval_s": "Capture every (s)", "idle_after_s": "Pause when idle for (s)",
    "keep_screenshots": "Keep screenshots", "screenshot_ttl_hours": "Delete them after (hours)",
    "enabled": "Notify me", "per_hour": "At most, per hour", "quiet_start": "Quiet from",
    "quiet_end": "Quiet until", "threshold": "Least score to notify",
    "later_hours": "“Not now” hides for (hours)", "retention_days": "Keep observations (days)",
}


SECTION_LABELS = {  # where a field name means something else in another section
    "mcp.enabled": "Let allowed agents ask", "mcp.allowed_clients": "Allowed clients",
}


def label_for(name: str, section: str | None = None) -> str:
    if section and f"{section}.{name}" in SECTION_LABELS:
        return SECTION_LABELS[f"{section}.{name}"]
    if name in LABELS:
        return LABELS[name]
    text = name[:-2] + " (s)" if name.endswith("_s") else name
    return text.replace("_", " ").capitalize()
