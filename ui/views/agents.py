"""Other agents (MCP): whether the user-model service is on, which clients it answers
(edited with the other settings and written by Apply), and its access log: every
call an agent made, allowed or refused (what `familiar mcp log` prints)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from ui.models.mcp import AccessLogModel
from ui.views.tables import row_table

LOG_LIMIT = 200


def describe_service(mcp) -> str:
    """One sentence on what other agents may do now (the saved settings)."""
    if not mcp.enabled:
        return ("Off: other agents cannot ask what Familiar knows about you. To let one, turn "
                "the service on, name the client, and Apply; the agent then starts "
                "`familiar mcp serve`.")
    if not mcp.allowed_clients:
        return ("On, but no client is allowed yet: every call is refused (and logged below). "
                "Name the clients you allow, then Apply.")
    return (f"On: {', '.join(mcp.allowed_clients)} may ask what Familiar knows about you "
            "(propositions marked sensitive are never given out). Other clients are refused.")


class AgentsSection(QGroupBox):
    """SettingsView puts the mcp editors in ``form`` (so Apply saves them with the rest)
    and hands over the allowed-clients editor with ``use_clients_editor``."""

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__("Other agents (MCP)", parent)
        self.setObjectName("agentsSection")
        self.controller = controller
        self.clients_editor = None  # a ui.views.fields.FieldEditor, set by SettingsView

        self.state = QLabel()
        self.state.setObjectName("mcpState")
        self.state.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        note = QLabel("The name is the one an agent gives itself (its MCP clientInfo.name), "
                      "not a proof of who it is.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")

        self.model = AccessLogModel(self)
        self.table = row_table(self.model, "mcpAccessLog")
        self.table.setMinimumHeight(160)
        header = self.table.horizontalHeader()
        for c in range(len(AccessLogModel.columns)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AccessLogModel.ASKED, QHeaderView.ResizeMode.Stretch)
        self.log_state = QLabel()
        self.log_state.setObjectName("mcpLogState")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshMcpLog")
        self.allow_button = QPushButton("Allow this client")
        self.allow_button.setObjectName("allowMcpClient")
        self.allow_button.setToolTip("Add the selected refused client to the allowed ones "
                                     "(Apply saves it)")
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_state, 1)
        log_row.addWidget(self.allow_button)
        log_row.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(self.form)
        layout.addWidget(note)
        layout.addLayout(log_row)
        layout.addWidget(self.table)

        self.refresh_button.clicked.connect(self.reload)
        self.allow_button.clicked.connect(self.allow_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        controller.settings_changed.connect(self.show_state)
        # forgetting everything clears the log: show that, when it is on screen
        controller.observations_changed.connect(lambda: self.isVisible() and self.reload())
        self.show_state()
        self._update_buttons()

    def use_clients_editor(self, editor) -> None:
        self.clients_editor = editor
        editor.widget.textChanged.connect(lambda _t: self._update_buttons())
        self._update_buttons()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()  # calls come from other processes: look again whenever it is shown

    def show_state(self) -> None:
        self.state.setText(describe_service(self.controller.fam.settings.mcp))

    def reload(self) -> None:
        self.refresh_button.setEnabled(False)
        self.controller.mcp_access_log(self._show, limit=LOG_LIMIT)

    def _show(self, entries) -> None:
        self.refresh_button.setEnabled(True)
        self.model.set_rows(entries)
        refused = sum(not e.allowed for e in entries)
        self.log_state.setText(
            f"Access log: {len(entries)} call(s), newest first; {refused} refused."
            if entries else "Access log: no agent has asked anything yet.")
        self._update_buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def _update_buttons(self) -> None:
        entry = self.selected()
        allowed = self.clients_editor.value() if self.clients_editor is not None else []
        self.allow_button.setEnabled(entry is not None and not entry.allowed
                                     and entry.client not in allowed)

    def allow_selected(self) -> None:
        entry = self.selected()
        if entry is None or self.clients_editor is None:
            return
        clients = self.clients_editor.value()
        if entry.client not in clients:
            self.clients_editor.set_value([*clients, entry.client])
        self._update_buttons()
