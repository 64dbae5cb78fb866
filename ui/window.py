"""The main window: five tabs and a status bar (what is happening, capture state)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QTabWidget, QVBoxLayout, QWidget

from ui.icon import app_icon
from ui.views.activity import ActivityView
from ui.views.chat import ChatView
from ui.views.knowledge import KnowledgeView
from ui.views.settings import SettingsView
from ui.views.suggestions import SuggestionsView


class MainWindow(QMainWindow):
    close_requested = Signal()  # the user closed the window (the app decides: tray or quit)

    def __init__(self, controller):
        super().__init__()
        self.setObjectName("mainWindow")
        self.controller = controller
        self.setWindowTitle("Familiar")
        self.setWindowIcon(app_icon())
        self.resize(1100, 720)
        self.chat = ChatView(controller)
        self.knowledge = KnowledgeView(controller)
        self.suggestions = SuggestionsView(controller)
        self.activity = ActivityView(controller)
        self.settings = SettingsView(controller)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        for view, title in ((self.chat, "Chat"), (self.knowledge, "What I know about you"),
                            (self.suggestions, "Suggestions"), (self.activity, "Activity"),
                            (self.settings, "Settings")):
            self.tabs.addTab(view, title)
        # what degrades the app while it lasts (the Chroma server is unreachable): a
        # banner above the tabs, gone when it is over
        self.banner = QLabel()
        self.banner.setObjectName("noticeBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#noticeBanner { background: #fff3cd; color: #533f03;"
                                  " border-bottom: 1px solid #e0c97a; padding: 6px 10px; }")
        self.banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.message = QLabel()
        self.message.setObjectName("statusMessage")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.hide()
        self.capture = QLabel()
        self.capture.setObjectName("captureStatus")
        bar = self.statusBar()
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.capture)

        controller.status.connect(self.message.setText)
        controller.notice.connect(self.show_notice)
        controller.capture_changed.connect(lambda _s: self.show_capture())
        controller.processing.connect(self._processing)
        controller.processing_done.connect(self._processed)
        controller.work.busy_changed.connect(self.busy.setVisible)
        self.show_capture()

    def show_notice(self, text: str | None) -> None:
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))
        if text:
            self.message.setText(text.split(";")[0] + ".")

    def show_capture(self) -> None:
        state = self.controller.capture_state()
        self.capture.setText("● capture on" if not state.paused else "❚❚ capture paused")
        self.capture.setToolTip(state.describe())

    def _processing(self, stage: str, done: int, total: int) -> None:
        what = "Reading new observations" if stage == "extract" else "Asking the model"
        self.message.setText(f"{what}: {done}/{total}")

    def _processed(self, report) -> None:
        if report is None:
            return
        d = report.to_dict()
        self.message.setText(f"Learned from {d['extracted']} observation(s): {d['inserted']} new, "
                             f"{d['revised']} revised, {d['corroborated']} corroborated.")

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentWidget(getattr(self, name))
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event) -> None:
        event.ignore()
        self.close_requested.emit()
