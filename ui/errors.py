"""Errors the user sees: a dialog that says what happened and what to do, and a line
in the log. Unhandled exceptions (an excepthook) get the same treatment."""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger("familiar.ui")


class ErrorReporter(QObject):
    """Shows error dialogs on the GUI thread, whichever thread reports."""

    _show = Signal(str, str)

    def __init__(self, parent_widget: QWidget | None = None, log_path: str | None = None,
                 modal: bool = True):
        super().__init__()
        self.parent_widget = parent_widget
        self.log_path = log_path
        self.modal = modal  # tests turn this off: the dialog is shown, not waited on
        self.shown: list[tuple[str, str]] = []
        self._show.connect(self._on_show, Qt.ConnectionType.QueuedConnection)

    def report(self, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)
        self._show.emit(title, message)

    @Slot(str, str)
    def _on_show(self, title: str, message: str) -> None:
        self.shown.append((title, message))
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self.parent_widget)
        box.setObjectName("errorDialog")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.modal:
            box.exec()
        else:
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.show()

    # -- the excepthook ----------------------------------------------------------------
    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = lambda args: self._excepthook(
            args.exc_type, args.exc_value, args.exc_traceback)

    def _excepthook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        from ui.controller import error_text

        self.report("Familiar: unexpected error", error_text(exc, self.log_path))
