"""The desktop app: QApplication, main window, tray, first run.

    familiar            # opens it (assistant/cli.py calls run_app)

Closing the window leaves Familiar in the tray, where capture and notifications go
on; Quit (tray menu) stops everything cleanly. Without a system tray, closing quits.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from PySide6.QtCore import QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog

from assistant.errors import FamiliarError
from ui import app_state
from ui.controller import Controller
from ui.dialogs.first_run import FirstRunDialog
from ui.errors import ErrorReporter
from ui.icon import app_icon
from ui.tray import Tray
from ui.window import MainWindow

log = logging.getLogger("familiar.ui")
GIL_SWITCH_S = 0.001


class FamiliarApp(QObject):
    def __init__(self, fam, *, capture: bool = True, first_run: bool = True,
                 modal_errors: bool = True, background: bool = True, window_info=None):
        super().__init__()
        self.fam = fam
        self.quitting = False
        self.first_run_enabled = first_run
        self.told_about_tray = False
        # window_info: the window backend listing running apps (None: this platform's)
        self.controller = Controller(fam, capture=capture, background=background,
                                     window_info=window_info, parent=self)
        self.window = MainWindow(self.controller)
        self.reporter = ErrorReporter(self.window, self.controller.log_path, modal=modal_errors)
        self.controller.failed.connect(self.reporter.report)
        self.tray = Tray(self.controller, self)
        self.controller.notifier = self.tray.notifier
        self.tray.open_requested.connect(lambda: self.window.show_tab("chat")
                                         if self.window.isHidden() else self.window.raise_())
        self.tray.suggestion_clicked.connect(lambda _sid: self.window.show_tab("suggestions"))
        self.tray.quit_requested.connect(self.quit)
        self.window.close_requested.connect(self.close_window)

    @property
    def config_dir(self):
        return self.fam.settings.config_dir

    def start(self) -> None:
        from assistant.app_lock import DataDirLock

        # One app per data dir (run_app refuses a second one before it gets here).
        lock = DataDirLock(self.fam.settings.data_dir)
        if lock.acquire():
            self.fam.app_lock = lock
        else:
            log.warning("another app holds %s", lock.path)
        # Worker threads hand the GIL back every 1 ms instead of 5: the window then waits
        # less behind the user model's Python code (longest stall about halved, measured).
        sys.setswitchinterval(GIL_SWITCH_S)
        state = app_state.load(self.config_dir)
        if self.first_run_enabled and not state.first_run_done:
            # Nothing is captured before the user has answered.
            self.controller.pause_capture(None)
            QTimer.singleShot(0, self.first_run)
        self.window.show()
        self.tray.show()
        self.controller.start()

    def first_run(self) -> FirstRunDialog:
        dialog = FirstRunDialog(self.fam.settings.data_dir, self.window)
        dialog.finished.connect(self._first_run_answered)
        dialog.open()
        self.first_run_dialog = dialog
        return dialog

    def _first_run_answered(self, result: int) -> None:
        consent = result == QDialog.DialogCode.Accepted
        app_state.save(self.config_dir, app_state.AppState(first_run_done=True,
                                                           capture_consent=consent))
        if consent:
            self.controller.resume_capture()
            self.controller.status.emit("Capture is on. Pause it any time from the tray icon.")
        else:
            self.controller.status.emit("Capture stays paused; resume it from the Activity tab "
                                        "or the tray icon when you like.")

    def close_window(self) -> None:
        if self.quitting:
            return
        if self.tray.available():
            self.window.hide()
            if not self.told_about_tray:
                self.told_about_tray = True
                self.tray.icon.showMessage("Familiar is still running",
                                           "Capture and suggestions go on. Quit from this icon.")
        else:
            self.quit()

    def quit(self) -> None:
        if self.quitting:
            return
        self.quitting = True
        log.info("quitting")
        self.controller.shutdown()
        lock = getattr(self.fam, "app_lock", None)
        if lock is not None:
            self.fam.app_lock = None
            lock.release()
        self.tray.hide()
        self.window.hide()
        app = QApplication.instance()
        if app is not None:
            app.quit()


# -- entry point ---------------------------------------------------------------------------
_qt_warnings: list[str] = []


def _qt_messages(mode, context, message) -> None:
    if mode == QtMsgType.QtFatalMsg:
        reason = next((w for w in _qt_warnings if "could not connect" in w),
                      next((w for w in reversed(_qt_warnings) if "Could not load" in w), message))
        print(f"familiar: error: the desktop app cannot start ({reason.splitlines()[0]}). "
              "Install what Qt needs with `sh scripts/bootstrap.sh`, start it in a desktop "
              "session, or use the commands (`familiar --help`).", file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)
    if mode in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
        _qt_warnings.append(message)
        log.warning("Qt: %s", message)


def check_display(env=None, platform: str | None = None) -> None:
    """Raise FamiliarError when there is no screen to open a window on."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
                                             or env.get("QT_QPA_PLATFORM")):
        raise FamiliarError(
            "No display to open the app on (DISPLAY and WAYLAND_DISPLAY are not set). Run "
            "`familiar` in a desktop session, or use the commands (`familiar --help`).")


def run_app(fam) -> int:
    from assistant.app_lock import ALREADY_RUNNING, app_running

    if app_running(fam.settings.data_dir):
        raise FamiliarError(ALREADY_RUNNING)
    check_display()
    qInstallMessageHandler(_qt_messages)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Familiar")
    app.setDesktopFileName("familiar")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    ui = FamiliarApp(fam)
    ui.reporter.install()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: ui.quit())
    wake = QTimer()  # lets Python see Ctrl-C while Qt waits for events
    wake.start(500)
    wake.timeout.connect(lambda: None)
    ui.start()
    code = app.exec()
    ui.quit()
    return code
