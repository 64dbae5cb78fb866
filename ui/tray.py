"""The tray icon: pause / resume capture, open the window, quit. Closing the window
leaves Familiar here, capturing and notifying. TrayNotifier implements the Notifier
protocol of assistant/notify.py: notify(title, body, suggestion_id), from any thread."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icon import app_icon


class TrayNotifier(QObject):
    """Shows a suggestion as a tray message; remembers what was shown."""

    _notify = Signal(str, str, object)

    def __init__(self, tray: "Tray"):
        super().__init__()
        self.tray = tray
        self.sent: list[tuple[str, str, object]] = []
        self._notify.connect(self._show)

    def notify(self, title: str, body: str, suggestion_id=None) -> None:
        self._notify.emit(title, body, suggestion_id)  # queued to the GUI thread if need be

    def _show(self, title: str, body: str, suggestion_id) -> None:
        self.sent.append((title, body, suggestion_id))
        self.tray.last_suggestion = suggestion_id
        if self.tray.icon.isVisible():
            self.tray.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 15000)


class Tray(QObject):
    open_requested = Signal()
    suggestion_clicked = Signal(object)
    quit_requested = Signal()

    def __init__(self, controller, parent: QObject | None = None):
        super().__init__(parent)
        self.controller = controller
        self.last_suggestion = None
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.open_action = QAction("Open Familiar", self.menu)
        self.status_action = QAction("", self.menu)
        self.status_action.setEnabled(False)
        self.pause_action = QAction("Pause capture for 1 hour", self.menu)
        self.pause_action.setObjectName("pauseAction")
        self.pause_forever_action = QAction("Pause capture until I resume", self.menu)
        self.resume_action = QAction("Resume capture", self.menu)
        self.resume_action.setObjectName("resumeAction")
        self.quit_action = QAction("Quit Familiar", self.menu)
        self.quit_action.setObjectName("quitAction")
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        self.menu.addAction(self.status_action)
        self.menu.addAction(self.pause_action)
        self.menu.addAction(self.pause_forever_action)
        self.menu.addAction(self.resume_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip("Familiar")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(lambda: self.suggestion_clicked.emit(self.last_suggestion))

        self.open_action.triggered.connect(self.open_requested.emit)
        self.pause_action.triggered.connect(lambda: controller.pause_capture(timedelta(hours=1)))
        self.pause_forever_action.triggered.connect(lambda: controller.pause_capture(None))
        self.resume_action.triggered.connect(controller.resume_capture)
        self.quit_action.triggered.connect(self.quit_requested.emit)
        self.menu.aboutToShow.connect(self.refresh)
        controller.capture_changed.connect(lambda _s: self.refresh())
        self.notifier = TrayNotifier(self)
        self.refresh()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def refresh(self) -> None:
        state = self.controller.capture_state()
        self.status_action.setText(state.describe().capitalize())
        self.pause_action.setVisible(not state.paused)
        self.pause_forever_action.setVisible(not state.paused)
        self.resume_action.setVisible(state.paused)
        self.icon.setToolTip(f"Familiar — {state.describe()}")

    def _activated(self, reason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
