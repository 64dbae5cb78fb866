"""The first start: what is observed, where it is stored, how to pause and exclude;
capture starts only if the user says so (the answer is remembered)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

TEXT = """<h2>Welcome to Familiar</h2>
<p>Familiar learns who you are from what you do on this computer, so that it can answer
with what it knows about you and suggest things before you ask.</p>
<p><b>What it observes.</b> Every few seconds, and when you switch windows, it reads the
text of the active window (the screenshot is read and thrown away), its app and title;
and your chats with it. Card numbers, keys, passwords and one-time codes are removed
before anything is stored. Password managers and private browser windows are never read.</p>
<p><b>Where it is stored.</b> Only on this computer, in<br><code>{data_dir}</code>.<br>
Nothing is sent anywhere; the language model runs here too.</p>
<p><b>You stay in charge.</b> Pause capture from the tray icon or the Activity tab;
exclude apps and window titles there; see, correct and delete everything it believes
about you under “What I know about you”; forget an app or a time range at any time.</p>
<p>Start reading your screen now?</p>"""


class FirstRunDialog(QDialog):
    def __init__(self, data_dir, parent=None):
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("Welcome to Familiar")
        self.setMinimumWidth(560)
        label = QLabel(TEXT.format(data_dir=data_dir))
        label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.start_button = QPushButton("Start capturing")
        self.start_button.setObjectName("startCapture")
        self.later_button = QPushButton("Not now (capture stays paused)")
        self.later_button.setObjectName("notNow")
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.start_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)
