"""Settings: the language model (embedded, any GGUF, Ollama / LM Studio models found on
this machine, or a server) with a test button; capture; notifications; data location,
export / import, and deleting everything. Apply writes settings.toml and takes effect
at once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QScrollArea, QVBoxLayout, QWidget,
)

from ui.dialogs import ask
from ui.views.agents import AgentsSection
from ui.views.fields import FieldEditor, label_for

BACKENDS = (("embedded", "Embedded model shipped with Familiar"),
            ("gguf", "A GGUF model on this computer (file, Ollama, LM Studio)"),
            ("server", "An OpenAI-compatible server (llama.cpp, vLLM, Ollama)"),
            ("none", "No language model: rules only"))
EMBEDDED = ("smollm2", "gemma3")
CAPTURE_FIELDS = ("interval_s", "idle_after_s", "keep_screenshots", "screenshot_ttl_hours")
NOTIFY_FIELDS = ("enabled", "per_hour", "quiet_start", "quiet_end", "threshold", "later_hours")
MCP_FIELDS = ("enabled", "allowed_clients")


class SettingsView(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settingsView")
        self.controller = controller
        self.editors: dict[str, dict[str, FieldEditor]] = {}
        self.found_models: list = []
        settings = controller.fam.settings

        # -- model
        self.backend = QComboBox()
        self.backend.setObjectName("backendChoice")
        for key, text in BACKENDS:
            self.backend.addItem(text, key)
        self.model = QComboBox()
        self.model.setObjectName("modelChoice")
        self.model.setEditable(True)
        self.model.setMinimumContentsLength(30)
        self.browse_button = QPushButton("Choose a GGUF file…")
        self.url = QLineEdit()
        self.url.setObjectName("urlEdit")
        self.url.setPlaceholderText("http://127.0.0.1:8080/v1")
        self.test_button = QPushButton("Test")
        self.test_button.setObjectName("testModelButton")
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.browse_button)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        model_box = QGroupBox("Language model")
        f = QFormLayout(model_box)
        f.addRow("Use", self.backend)
        f.addRow("Model", model_row)
        f.addRow("Server URL", self.url)
        f.addRow("", test_row)

        # -- capture, and notifications (side by side)
        capture_box = self._section_box("Screen capture", "capture", CAPTURE_FIELDS)
        middle = QHBoxLayout()
        middle.addWidget(capture_box, 1)
        if hasattr(settings, "notify"):
            fields = type(settings.notify).model_fields
            middle.addWidget(self._section_box("Notifications (suggestions)", "notify",
                                               [n for n in NOTIFY_FIELDS if n in fields]), 1)
        boxes = [model_box, middle]

        # -- other agents (MCP): the service's switch and allow-list, and its access log
        self.agents: AgentsSection | None = None
        if hasattr(settings, "mcp") and controller.has("mcp_access_log"):
            self.agents = AgentsSection(controller)
            self._add_editors(self.agents.form, "mcp", MCP_FIELDS)
            self.editors["mcp"]["allowed_clients"].widget.setPlaceholderText(
                "client names, comma-separated, e.g. claude-code")
            self.agents.use_clients_editor(self.editors["mcp"]["allowed_clients"])
            boxes.append(self.agents)

        # -- data
        self.data_dir = QLabel(str(settings.data_dir))
        self.data_dir.setObjectName("dataDirLabel")
        self.data_dir.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = QPushButton("Open folder")
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.controller.fam.settings.data_dir))))
        self.move_button = QPushButton("Move…")
        self.move_button.setObjectName("moveDataButton")
        self.move_button.setToolTip("Move everything Familiar keeps to another folder")
        where = QHBoxLayout()
        where.addWidget(self.data_dir, 1)
        where.addWidget(open_button)
        where.addWidget(self.move_button)
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        self.delete_all_button = QPushButton("Delete everything…")
        self.delete_all_button.setObjectName("deleteEverythingButton")
        self.delete_all_button.setStyleSheet("color: #b00020;")
        data_buttons = QHBoxLayout()
        data_buttons.addWidget(self.export_button)
        data_buttons.addWidget(self.import_button)
        data_buttons.addStretch(1)
        data_buttons.addWidget(self.delete_all_button)
        data_box = QGroupBox("Your data")
        f = QFormLayout(data_box)
        f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.addRow("Stored in", where)
        note = QLabel("Move… copies it to another folder, checks the copy and removes the old "
                      "one. Nothing leaves this computer.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        f.addRow("", note)
        if "retention_days" in type(settings.memory).model_fields:
            self._add_editors(f, "memory", ("retention_days",))
        f.addRow("", data_buttons)
        if not (controller.has("export_to") and controller.has("import_from")):
            self.export_button.setEnabled(False)
            self.import_button.setEnabled(False)
            self.export_button.setToolTip("Export is not available in this version")
        boxes.append(data_box)

        # -- apply
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applyButton")
        self.revert_button = QPushButton("Revert")
        self.result = QLabel()
        self.result.setObjectName("settingsResult")
        self.result.setWordWrap(True)
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.result, 1)
        apply_row.addWidget(self.revert_button)
        apply_row.addWidget(self.apply_button)

        inner = QWidget()
        v = QVBoxLayout(inner)
        for b in boxes:
            if isinstance(b, QHBoxLayout):
                v.addLayout(b)
            else:
                v.addWidget(b)
        v.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(apply_row)

        self.backend.currentIndexChanged.connect(self._backend_changed)
        self.browse_button.clicked.connect(self.browse)
        self.test_button.clicked.connect(self.test_model)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(self.load)
        self.export_button.clicked.connect(self.export)
        self.import_button.clicked.connect(self.import_)
        self.delete_all_button.clicked.connect(self.delete_everything)
        self.move_button.clicked.connect(self.move_data)
        controller.settings_changed.connect(self.load)
        self.load()
        controller.find_models(self._found)

    def _section_box(self, title: str, section: str, names) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self._add_editors(form, section, names)
        return box

    def _add_editors(self, form: QFormLayout, section: str, names) -> None:
        current = getattr(self.controller.fam.settings, section)
        fields = type(current).model_fields
        for name in names or fields:
            editor = FieldEditor(name, fields[name], getattr(current, name))
            self.editors.setdefault(section, {})[name] = editor
            form.addRow(label_for(name, section), editor.widget)

    # -- showing the current settings ---------------------------------------------------
    def load(self) -> None:
        s = self.controller.fam.settings
        self.data_dir.setText(str(s.data_dir))
        self.backend.setCurrentIndex(max(0, self.backend.findData(s.llm.backend)))
        self._backend_changed()
        self.model.setEditText(s.llm.model)
        self.url.setText(s.llm.url or "")
        for section, editors in self.editors.items():
            current = getattr(s, section)
            for name, editor in editors.items():
                editor.set_value(getattr(current, name))

    def _backend_changed(self) -> None:
        backend = self.backend.currentData()
        text = self.model.currentText()
        self.model.clear()
        if backend == "embedded":
            self.model.addItems(EMBEDDED)
        elif backend == "gguf":
            self.model.addItems([m.name for m in self.found_models if m.source != "embedded"])
        self.model.setEditText(text)
        self.model.setEnabled(backend in ("embedded", "gguf", "server"))
        self.browse_button.setEnabled(backend == "gguf")
        self.url.setEnabled(backend == "server")

    def _found(self, models) -> None:
        self.found_models = list(models)
        self._backend_changed()
        others = [m for m in models if m.source != "embedded"]
        if others and self.backend.currentData() != "gguf":
            self.test_result.setText(f"Found {len(others)} other model(s) on this computer "
                                     "(Ollama, LM Studio): choose “A GGUF model” to use one.")

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model.setEditText(path)

    def llm_values(self) -> dict:
        backend = self.backend.currentData()
        values = {"backend": backend, "model": self.model.currentText().strip() or None,
                  "url": self.url.text().strip() or None}
        if backend != "server":
            values["url"] = None
        return values

    def test_model(self) -> None:
        """Load the model and have it write a few words (off the GUI thread)."""
        self.test_result.setText("Testing: loading the model and asking it for a few words…")
        self.test_button.setEnabled(False)

        def ok(text):
            self.test_button.setEnabled(True)
            self.test_result.setText(text)

        def failed(exc):
            from ui.controller import error_text

            self.test_button.setEnabled(True)
            self.test_result.setText(error_text(exc, self.controller.log_path))
        self.controller.test_model(self.llm_values(), ok, failed)

    # -- applying ----------------------------------------------------------------------
    def changes(self) -> dict:
        s = self.controller.fam.settings
        out: dict[str, dict] = {}
        llm = {k: v for k, v in self.llm_values().items() if v != getattr(s.llm, k)}
        if llm.get("model", "") is None:
            llm.pop("model")
        if llm:
            out["llm"] = llm
        for section, editors in self.editors.items():
            current = getattr(s, section)
            diff = {n: e.value() for n, e in editors.items() if e.value() != getattr(current, n)}
            if diff:
                out.setdefault(section, {}).update(diff)
        return out

    def apply(self) -> None:
        changes = self.changes()
        if not changes:
            self.result.setText("Nothing to change.")
            return
        self.apply_button.setEnabled(False)
        self.result.setText("Saving…")

        def done(overridden):
            self.apply_button.setEnabled(True)
            text = "Saved; in effect now."
            if overridden:
                text += (" Note: " + ", ".join(overridden) + " set in the environment still "
                         "win(s) when Familiar starts.")
            self.result.setText(text)

        def failed(exc):
            from ui.controller import error_text

            self.apply_button.setEnabled(True)
            message = error_text(exc, self.controller.log_path)
            self.result.setText(f"Not saved: {message}")
            self.controller.failed.emit("Could not save the settings", message)
        self.controller.save_settings(changes, on_result=done, on_error=failed)

    # -- data ----------------------------------------------------------------------------
    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export what Familiar knows",
                                              str(Path.home() / "familiar-export.json"),
                                              "Familiar export (*.json)")
        if path:
            self.result.setText(f"Exporting to {path}…")
            self.controller.export_to(Path(path), on_result=lambda counts: self.result.setText(
                f"Exported to {path}: " + ", ".join(f"{n} {t}" for t, n in counts.items())))

    def import_(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import an export", str(Path.home()),
                                              "Familiar export (*.json)")
        if path:
            self.result.setText(f"Importing {path}…")
            self.controller.import_from(Path(path), on_result=lambda counts: self.result.setText(
                f"Imported {path}: " + ", ".join(f"{n} {t}" for t, n in counts.items())))

    def move_data(self) -> None:
        """Choose a folder, confirm, and move the data there (off the GUI thread, with
        progress; capture pauses meanwhile)."""
        current = self.controller.fam.settings.data_dir
        chosen = ask.choose_folder(self, "Move your data to…", str(current.parent))
        if not chosen:
            return
        target = Path(chosen)
        if target.exists() and any(target.iterdir()) and target != current:
            target = target / "familiar-data"  # a folder of its own inside the chosen one
        if not ask.confirm(self, "Move your data",
                           f"Move everything Familiar keeps from {current} to {target}? Capture "
                           "pauses while the files are copied; the old folder is removed once "
                           "the copy checks out.", "Move"):
            return
        self.move_button.setEnabled(False)
        self.result.setText(f"Moving your data to {target}…")

        def progress(_stage, done, total):
            self.result.setText(f"Moving your data: {done / 1e6:.1f} of {total / 1e6:.1f} MB copied")

        def moved(report):  # the label follows settings_changed (load)
            self.move_button.setEnabled(True)
            self.result.setText(report.describe())

        def failed(exc):
            from ui.controller import error_text

            self.move_button.setEnabled(True)
            self.result.setText(error_text(exc, self.controller.log_path))
        self.controller.move_data(target, moved, failed, progress)

    def delete_everything(self) -> None:
        if ask.confirm(self, "Delete everything",
                       "Erase every observation and everything Familiar learned about you? "
                       "This cannot be undone (export first if you may want it back).",
                       "Delete everything"):
            self.controller.forget_everything(on_result=lambda report: self.result.setText(
                f"Deleted everything ({report.observations} observations)."))
