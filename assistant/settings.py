"""One typed settings object.

Values come, highest first, from: keyword arguments, ``FAMILIAR_*`` environment
variables (nested sections with ``__``, e.g. ``FAMILIAR_LLM__MODEL``), the
``settings.toml`` file in the config dir, then the defaults below.
``--home`` / ``FAMILIAR_HOME`` puts every path (data, config, cache, logs) under one
directory; without it platformdirs chooses.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

APP_NAME = "familiar"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMSettings(Section):
    # "embedded": a GGUF shipped in a PyPI package (model = smollm2 | gemma3);
    # "gguf": any GGUF file (model = a path, or an Ollama / LM Studio name that
    #  `familiar models` lists); "server": an OpenAI-compatible server at `url`;
    # "none": no language model, only the model-independent extraction.
    backend: Literal["embedded", "gguf", "server", "none"] = "embedded"
    model: str = "smollm2"
    url: str | None = None
    api_key: str | None = None
    n_ctx: int = Field(4096, ge=512)
    n_threads: int | None = None
    n_gpu_layers: int = 0
    timeout_s: float = Field(120.0, gt=0)


class MemorySettings(Section):
    # Where the data (ledger, index) lives; None: the platform's data dir, or DIR/data
    # under --home. Changed by `familiar move-data` / the app's Move button, which move
    # the data there first.
    data_dir: str | None = None
    chroma_url: str | None = None
    collection: str = "propositions"
    # Observations older than this many days expire (propositions keep their text,
    # lose that evidence and are re-scored); None keeps them until forgotten.
    retention_days: float | None = Field(None, gt=0)


class UserModelSettings(Section):
    batch_size: int = Field(8, ge=1, le=64)
    # Observations the language model may look at per `process` run (a budget);
    # the model-independent extraction always runs on everything.
    llm_budget: int = Field(200, ge=0)
    identical_threshold: float = Field(0.92, gt=0, le=1)
    similar_threshold: float = Field(0.80, gt=0, le=1)
    # Let the model rewrite a stored proposition when a similar one arrives (checked
    # against both; falls back to a rule-based merge).
    llm_revise: bool = True
    # The most confidence a model-proposed proposition may claim: a 135M model's own
    # confidence is not worth much. None: 5 for the embedded models, 8 otherwise.
    llm_max_confidence: int | None = Field(None, ge=1, le=10)
    # Health, finances, sexuality, religion, politics, other people's private data:
    # store_flagged keeps such propositions marked sensitive (never used in
    # notifications, shown for review); hold_back does not learn them; allow ignores it.
    sensitive_policy: Literal["store_flagged", "hold_back", "allow"] = "store_flagged"
    # Ask the language model about borderline cases. None: yes for a GGUF file or a
    # server, no for the tiny embedded model.
    sensitive_llm_check: bool | None = None


class RecallSettings(Section):
    k: int = Field(5, ge=1, le=100)
    candidates: int = Field(50, ge=5)
    mmr_lambda: float = Field(0.5, ge=0, le=1)


class CaptureSettings(Section):
    interval_s: float = Field(2.0, ge=0.5)
    # No capture after this long without keyboard or mouse input.
    idle_after_s: float = Field(300.0, ge=10)
    # Frames of the same window within this many seconds extend one observation.
    merge_window_s: float = Field(300.0, ge=0)
    excluded_apps: list[str] = []  # added to the built-in list (password managers...)
    excluded_titles: list[str] = []  # regexes, added to the built-in list (private windows...)
    ocr_min_score: float = Field(0.5, ge=0, le=1)
    keep_screenshots: bool = False  # pixels never reach the disk unless this is on
    screenshot_ttl_hours: float = Field(24.0, gt=0)
    # Optional: a vision-capable GGUF and its mmproj describe frames (capture/vision.py),
    # "beside" OCR (on a new window or a mostly changed one) or "instead" of it.
    vision_model: Path | None = None
    vision_mmproj: Path | None = None
    vision_mode: Literal["beside", "instead"] = "beside"
    vision_chat_handler: str = "auto"  # or llava15, llava16, moondream, minicpm, qwen25vl...


class NotifySettings(Section):
    """Proactive suggestions and when they may interrupt (assistant/notify.py)."""

    enabled: bool = True
    per_hour: int = Field(2, ge=0)  # at most this many notifications in any hour
    quiet_start: str = Field("22:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # local time
    quiet_end: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # may be past midnight
    threshold: float = Field(0.3, ge=-1, le=1)  # the least score worth a notification
    interval_s: float = Field(300.0, ge=5)  # how often the scheduled job decides
    later_hours: float = Field(4.0, gt=0)  # "later" hides a suggestion this long
    # "Never about this" also mutes propositions this similar (cosine) to the muted ones.
    mute_similarity: float = Field(0.75, gt=0, le=1)
    # Let the language model write suggestions. None: yes, except for the tiny embedded
    # model (the rules write better ones than a 135M model).
    suggest_with_llm: bool | None = None


class MCPSettings(Section):
    """The user model as a service for other agents (`familiar mcp serve`): off unless
    the user turns it on, and only for the clients named here (their MCP clientInfo.name)."""

    enabled: bool = False
    allowed_clients: list[str] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FAMILIAR_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path | None = None
    llm: LLMSettings = LLMSettings()
    memory: MemorySettings = MemorySettings()
    usermodel: UserModelSettings = UserModelSettings()
    recall: RecallSettings = RecallSettings()
    capture: CaptureSettings = CaptureSettings()
    notify: NotifySettings = NotifySettings()
    mcp: MCPSettings = MCPSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls, init_settings))

    # -- paths -------------------------------------------------------------
    def _dir(self, kind: str) -> Path:
        if self.home is not None:
            return Path(self.home).expanduser() / kind
        return Path(getattr(platformdirs, f"user_{kind}_dir")(APP_NAME, appauthor=False))

    @property
    def data_dir(self) -> Path:
        if self.memory.data_dir:
            return Path(self.memory.data_dir).expanduser()
        return self._dir("data")

    @property
    def config_dir(self) -> Path:
        return self._dir("config")

    @property
    def cache_dir(self) -> Path:
        return self._dir("cache")

    @property
    def log_dir(self) -> Path:
        return self._dir("log")

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def config_file(home: Path | None) -> Path:
    if home is not None:
        return Path(home).expanduser() / "config" / "settings.toml"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads ``settings.toml`` from the config dir of the home being used."""

    def __init__(self, settings_cls: type[BaseSettings], init: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self._init = init

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        home = self._init().get("home") or os.environ.get("FAMILIAR_HOME")
        path = config_file(Path(home) if home else None)
        if not path.is_file():
            return {}
        with path.open("rb") as f:
            return tomllib.load(f)


def load_settings(home: str | Path | None = None, **overrides: Any) -> Settings:
    if home is not None:
        overrides["home"] = Path(home)
    return Settings(**overrides)
