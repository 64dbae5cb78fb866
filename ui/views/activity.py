"""Activity: whether capture is on (pause for a while), what was observed lately
(already redacted), learning progress, excluded apps and window titles, and forgetting
an app or a time range."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateTimeEdit, QGridLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QListWidget, QProgressBar, QPushButton, QVBoxLayout,
    QWidget,
)

from ui.dialogs import ask
from ui.models.observations import ObservationTableModel
from ui.views.tables import row_table

PAUSE_CHOICES = (("for 15 minutes", timedelta(minutes=15)), ("for 1 hour", timedelta(hours=1)),
                 ("for 4 hours", timedelta(hours=4)), ("until tomorrow", timedelta(hours=24)),
                 ("until I resume", None))


def describe_capture(state, running: bool, interval_s: float) -> str:
    if state.paused:
        return state.describe().capitalize() + "."
    if not running:
        return "Capture is on, but the screen is not being read in this session."
    return f"Capture is on: the active window is read every {interval_s:g} s and on window switches."


class RunningAppsBox(QComboBox):
    """An editable combo of app names that asks for a fresh list each time it opens."""

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class ActivityView(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("activityView")
        self.controller = controller

        # capture on / paused
        self.capture_label = QLabel()
        self.capture_label.setObjectName("captureLabel")
        self.capture_label.setWordWrap(True)
        self.pause_choice = QComboBox()
        for text, _ in PAUSE_CHOICES:
            self.pause_choice.addItem(text)
        self.pause_choice.setCurrentIndex(1)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseButton")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("resumeButton")
        row = QHBoxLayout()
        row.addWidget(self.pause_button)
        row.addWidget(self.pause_choice)
        row.addWidget(self.resume_button)
        row.addStretch(1)
        capture_box = QGroupBox("Screen capture")
        v = QVBoxLayout(capture_box)
        v.addWidget(self.capture_label)
        v.addLayout(row)
        note = QLabel("Screenshots are read and thrown away; only the redacted text is kept. "
                      "Password managers and private windows are never read.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        v.addWidget(note)

        # learning
        self.counts_label = QLabel("…")
        self.counts_label.setObjectName("countsLabel")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.learn_button = QPushButton("Learn from them now")
        learn_box = QGroupBox("Learning")
        v = QVBoxLayout(learn_box)
        v.addWidget(self.counts_label)
        v.addWidget(self.progress)
        v.addWidget(self.learn_button, 0, Qt.AlignmentFlag.AlignLeft)
        v.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(capture_box, 3)
        top.addWidget(learn_box, 2)

        # recent observations
        self.model = ObservationTableModel(self)
        self.table = row_table(self.model, "observationsTable", multi=True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        recent_box = QGroupBox("Last observations (as stored, after redaction)")
        v = QVBoxLayout(recent_box)
        v.addWidget(self.table)

        # forgetting
        self.forget_selected_button = QPushButton("Forget selected")
        self.app_choice = QComboBox()
        self.app_choice.setEditable(True)
        self.app_choice.setMinimumContentsLength(14)
        self.app_choice.lineEdit().setPlaceholderText("app name")
        self.forget_app_button = QPushButton("Forget this app")
        now = QDateTime.currentDateTime()
        self.since = QDateTimeEdit(now.addSecs(-3600))
        self.until = QDateTimeEdit(now)
        for w in (self.since, self.until):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.forget_range_button = QPushButton("Forget this time range")
        forget_box = QGroupBox("Forget")
        g = QGridLayout(forget_box)
        g.addWidget(self.forget_selected_button, 0, 0, 1, 3, Qt.AlignmentFlag.AlignLeft)
        g.addWidget(QLabel("App"), 1, 0)
        g.addWidget(self.app_choice, 1, 1)
        g.addWidget(self.forget_app_button, 1, 2)
        g.addWidget(QLabel("From"), 2, 0)
        g.addWidget(self.since, 2, 1)
        g.addWidget(QLabel("to"), 3, 0)
        g.addWidget(self.until, 3, 1)
        g.addWidget(self.forget_range_button, 3, 2)
        g.setRowStretch(4, 1)
        g.setColumnStretch(1, 1)

        # exclusions
        self.excluded_apps = QListWidget()
        self.excluded_apps.setObjectName("excludedApps")
        self.excluded_titles = QListWidget()
        self.excluded_titles.setObjectName("excludedTitles")
        for lst in (self.excluded_apps, self.excluded_titles):
            lst.setMaximumHeight(96)
            lst.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.app_to_exclude = RunningAppsBox()
        self.app_to_exclude.setObjectName("appToExclude")
        self.app_to_exclude.setEditable(True)
        self.app_to_exclude.lineEdit().setPlaceholderText("app name, or pick a running one")
        self.refresh_apps_button = QPushButton("↻")
        self.refresh_apps_button.setObjectName("refreshRunningApps")
        self.refresh_apps_button.setToolTip("List the apps running now")
        self.refresh_apps_button.setMaximumWidth(36)
        self._listing_apps = False
        self._list_apps_again = False
        self.add_app_button = QPushButton("Exclude app")
        self.title_to_exclude = QLineEdit()
        self.title_to_exclude.setPlaceholderText("window title pattern (a regex)")
        self.add_title_button = QPushButton("Exclude titles")
        self.remove_button = QPushButton("Remove selected")
        exclude_box = QGroupBox("Never capture (in addition to the built-in list)")
        g = QGridLayout(exclude_box)
        g.addWidget(QLabel("Apps"), 0, 0)
        g.addWidget(QLabel("Window titles"), 0, 2)
        g.addWidget(self.excluded_apps, 1, 0, 1, 2)
        g.addWidget(self.excluded_titles, 1, 2, 1, 2)
        apps_row = QHBoxLayout()
        apps_row.setContentsMargins(0, 0, 0, 0)
        apps_row.addWidget(self.app_to_exclude, 1)
        apps_row.addWidget(self.refresh_apps_button)
        g.addLayout(apps_row, 2, 0)
        g.addWidget(self.add_app_button, 2, 1)
        g.addWidget(self.title_to_exclude, 2, 2)
        g.addWidget(self.add_title_button, 2, 3)
        g.addWidget(self.remove_button, 3, 0, 1, 4, Qt.AlignmentFlag.AlignRight)

        bottom = QHBoxLayout()
        bottom.addWidget(forget_box, 2)
        bottom.addWidget(exclude_box, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(recent_box, 1)
        layout.addLayout(bottom, 0)

        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.learn_button.clicked.connect(controller.process_pending)
        self.forget_selected_button.clicked.connect(self.forget_selected)
        self.forget_app_button.clicked.connect(self.forget_app)
        self.forget_range_button.clicked.connect(self.forget_range)
        self.add_app_button.clicked.connect(self.exclude_app)
        self.app_to_exclude.opening.connect(self.refresh_running_apps)
        self.refresh_apps_button.clicked.connect(self.refresh_running_apps)
        self.add_title_button.clicked.connect(self.exclude_title)
        self.title_to_exclude.returnPressed.connect(self.exclude_title)
        self.remove_button.clicked.connect(self.remove_exclusion)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        controller.capture_changed.connect(lambda _s: self.show_capture())
        controller.observations_changed.connect(self.reload)
        controller.settings_changed.connect(self.show_exclusions)
        controller.processing.connect(self._progress)
        controller.processing_done.connect(self._processed)
        controller.ready.connect(self.show_capture)
        # "paused for an hour" ends by itself: look again now and then
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self.show_capture)
        self._clock.start()
        self.show_capture()
        self.show_exclusions()
        self._update_buttons()
        self.reload()

    # -- capture -------------------------------------------------------------------
    def show_capture(self) -> None:
        state = self.controller.capture_state()
        self.capture_label.setText(describe_capture(
            state, self.controller.capture_running, self.controller.fam.settings.capture.interval_s))
        self.pause_button.setEnabled(not state.paused)
        self.pause_choice.setEnabled(not state.paused)
        self.resume_button.setEnabled(state.paused)

    def pause(self) -> None:
        self.controller.pause_capture(PAUSE_CHOICES[self.pause_choice.currentIndex()][1])

    def resume(self) -> None:
        self.controller.resume_capture()

    # -- observations --------------------------------------------------------------------
    def reload(self) -> None:
        self.controller.recent_observations(self._show)
        self.controller.counts(self._show_counts)

    def _show(self, observations) -> None:
        self.model.set_rows(observations)
        apps = sorted({o.app for o in observations if o.app}, key=str.casefold)
        current = self.app_choice.currentText()
        self.app_choice.clear()
        self.app_choice.addItems(apps)
        self.app_choice.setEditText(current)
        self._update_buttons()

    def _show_counts(self, c) -> None:
        text = f"{c.observations} observation(s) stored; {c.pending} waiting to be learned from"
        if c.failed:
            text += f" ({c.failed} after model errors)"
        text += f". {c.propositions} proposition(s) about you."
        self.counts_label.setText(text)

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        what = "reading with rules" if stage == "extract" else "asking the model"
        self.progress.setFormat(f"{what}: %v / %m")
        self.learn_button.setEnabled(False)

    def _processed(self, _report) -> None:
        self.progress.hide()
        self.learn_button.setEnabled(True)
        self.controller.counts(self._show_counts)

    def _update_buttons(self) -> None:
        self.forget_selected_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    # -- forgetting ---------------------------------------------------------------------
    def forget_selected(self) -> None:
        ids = [self.model.row_at(i).id for i in self.table.selectionModel().selectedRows()]
        if ids and ask.confirm(self, "Forget observations",
                               f"Delete {len(ids)} observation(s), and what was learned only "
                               "from them?", "Forget"):
            self.controller.forget(ids=ids, on_result=self._forgot)

    def forget_app(self) -> None:
        app = self.app_choice.currentText().strip()
        if app and ask.confirm(self, "Forget an app",
                               f"Delete every observation from {app}, and what was learned only "
                               "from them?", "Forget"):
            self.controller.forget(app=app, on_result=self._forgot)

    def forget_range(self) -> None:
        since = self.since.dateTime().toPython().astimezone()
        until = self.until.dateTime().toPython().astimezone()
        if until <= since:
            self.controller.failed.emit("Forget a time range", "The end is before the start; "
                                        "choose an end time after the start time.")
            return
        if ask.confirm(self, "Forget a time range",
                       f"Delete every observation from {since:%Y-%m-%d %H:%M} to "
                       f"{until:%Y-%m-%d %H:%M}, and what was learned only from them?", "Forget"):
            self.controller.forget(since=since, until=until, on_result=self._forgot)

    def _forgot(self, report) -> None:
        self.controller.status.emit(
            f"Forgot {report.observations} observation(s); {len(report.retracted)} proposition(s) "
            f"retracted, {len(report.rescored)} re-scored.")

    # -- exclusions -----------------------------------------------------------------------
    def show_exclusions(self) -> None:
        s = self.controller.fam.settings.capture
        self.excluded_apps.clear()
        self.excluded_apps.addItems(s.excluded_apps)
        self.excluded_titles.clear()
        self.excluded_titles.addItems(s.excluded_titles)
        self.refresh_running_apps()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_running_apps()  # apps come and go while the tab is not shown

    def refresh_running_apps(self) -> None:
        """Ask the window backend which apps have windows now (off the GUI thread); asked
        again while an answer is on its way, it asks once more when that one is in."""
        if self._listing_apps:
            self._list_apps_again = True
            return
        self._listing_apps = True
        self._list_apps_again = False
        self.refresh_apps_button.setEnabled(False)

        def finished() -> None:
            self._listing_apps = False
            self.refresh_apps_button.setEnabled(True)
            if self._list_apps_again:
                self.refresh_running_apps()

        def done(apps) -> None:
            self._running_apps(apps)
            finished()

        def failed(exc) -> None:
            self.controller.status.emit(f"Could not list the running apps: {exc}")
            finished()
        self.controller.running_apps(done, on_error=failed)

    def _running_apps(self, apps) -> None:
        excluded = {a.casefold() for a in self.controller.fam.settings.capture.excluded_apps}
        apps = [a for a in apps if a.casefold() not in excluded]  # nothing left to exclude there
        if apps == [self.app_to_exclude.itemText(i) for i in range(self.app_to_exclude.count())]:
            return  # the same list: leave an open popup alone
        text = self.app_to_exclude.currentText()
        self.app_to_exclude.clear()
        self.app_to_exclude.addItems(apps)
        self.app_to_exclude.setEditText(text)

    def _save_exclusions(self, apps: list[str], titles: list[str]) -> None:
        self.controller.save_settings({"capture": {"excluded_apps": apps, "excluded_titles": titles}})

    def exclude_app(self) -> None:
        app = self.app_to_exclude.currentText().strip()
        s = self.controller.fam.settings.capture
        if app and app not in s.excluded_apps:
            self._save_exclusions([*s.excluded_apps, app], list(s.excluded_titles))
        self.app_to_exclude.setEditText("")

    def exclude_title(self) -> None:
        import re

        pattern = self.title_to_exclude.text().strip()
        if not pattern:
            return
        try:
            re.compile(pattern)
        except re.error as exc:
            self.controller.failed.emit("Exclude window titles",
                                        f"{pattern!r} is not a valid pattern ({exc}); fix it, or "
                                        "type plain words.")
            return
        s = self.controller.fam.settings.capture
        if pattern not in s.excluded_titles:
            self._save_exclusions(list(s.excluded_apps), [*s.excluded_titles, pattern])
        self.title_to_exclude.clear()

    def remove_exclusion(self) -> None:
        s = self.controller.fam.settings.capture
        apps = [a for a in s.excluded_apps
                if a not in {i.text() for i in self.excluded_apps.selectedItems()}]
        titles = [t for t in s.excluded_titles
                  if t not in {i.text() for i in self.excluded_titles.selectedItems()}]
        if (apps, titles) != (list(s.excluded_apps), list(s.excluded_titles)):
            self._save_exclusions(apps, titles)
