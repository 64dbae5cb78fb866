"""Optional frame descriptions from a local vision-capable GGUF with its mmproj
(projector) file, through llama-cpp-python's multimodal chat handlers.

Configured with ``capture.vision_model`` and ``capture.vision_mmproj``; without them
there is no describer and the screen observer uses OCR alone. Nothing is downloaded:
both files must already be on disk. The model loads on the first description and is
kept."""

from __future__ import annotations

import base64
import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import UsageError

log = logging.getLogger(__name__)

PROMPT = ("Describe this screenshot of a computer screen in a few sentences: which "
          "application it is, what the person is doing, and the main text visible. "
          "Do not repeat passwords, keys or card numbers.")
MAX_SIDE = 1024  # the frame is scaled down to this before it is encoded

# capture.vision_chat_handler -> the class in llama_cpp.llama_chat_format. "auto" uses
# the chat template stored in the GGUF itself (MTMDChatHandler).
HANDLERS = {
    "auto": "MTMDChatHandler",
    "llava15": "Llava15ChatHandler",
    "llava16": "Llava16ChatHandler",
    "moondream": "MoondreamChatHandler",
    "nanollava": "NanoLlavaChatHandler",
    "llama3visionalpha": "Llama3VisionAlphaChatHandler",
    "minicpm": "MiniCPMv26ChatHandler",
    "qwen25vl": "Qwen25VLChatHandler",
    "gemma4": "Gemma4ChatHandler",
}


class VisionSetupError(UsageError):
    """The vision settings cannot work; the message says what to change."""


class FrameDescriber(Protocol):
    def describe(self, image_bgr: np.ndarray) -> str: ...


class LlamaVisionDescriber:
    def __init__(self, model: Path, mmproj: Path, chat_handler: str = "auto", *,
                 n_ctx: int = 4096, n_threads: int | None = None, max_tokens: int = 200):
        for what, path in (("capture.vision_model", model), ("capture.vision_mmproj", mmproj)):
            if not Path(path).is_file():
                raise VisionSetupError(f"{what} {path} is not a file: set it to a GGUF on disk, "
                                       "or unset capture.vision_model to use OCR alone")
        if chat_handler not in HANDLERS:
            raise VisionSetupError(f"capture.vision_chat_handler {chat_handler!r} is unknown: "
                                   f"use one of {', '.join(HANDLERS)}")
        self.model, self.mmproj, self.chat_handler = Path(model), Path(mmproj), chat_handler
        self.n_ctx, self.n_threads, self.max_tokens = n_ctx, n_threads, max_tokens
        self._llm = None
        self._lock = threading.Lock()

    def _load(self):
        if self._llm is None:
            from llama_cpp import Llama, llama_chat_format

            log.info("loading vision model %s with %s", self.model, self.mmproj)
            handler_cls = getattr(llama_chat_format, HANDLERS[self.chat_handler])
            kwargs = {"use_gpu": False} if HANDLERS[self.chat_handler] == "MTMDChatHandler" else {}
            handler = handler_cls(clip_model_path=str(self.mmproj), verbose=False, **kwargs)
            self._llm = Llama(model_path=str(self.model), chat_handler=handler, n_ctx=self.n_ctx,
                              n_threads=self.n_threads, verbose=False)
        return self._llm

    def describe(self, image_bgr: np.ndarray) -> str:
        url = image_data_url(image_bgr)
        with self._lock:
            out = self._load().create_chat_completion(
                messages=[{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": url}},
                    {"type": "text", "text": PROMPT}]}],
                max_tokens=self.max_tokens, temperature=0.0)
        return (out["choices"][0]["message"]["content"] or "").strip()


def image_data_url(image_bgr: np.ndarray, max_side: int = MAX_SIDE) -> str:
    """A PNG data: URL of the frame, scaled down to ``max_side``; in memory only."""
    import cv2

    h, w = image_bgr.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        image_bgr = cv2.resize(image_bgr, (max(1, round(w * scale)), max(1, round(h * scale))),
                               interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", np.ascontiguousarray(image_bgr[:, :, :3]))
    if not ok:
        raise ValueError("could not encode the frame")
    return "data:image/png;base64," + base64.b64encode(png.tobytes()).decode("ascii")


def vision_describer(settings) -> LlamaVisionDescriber | None:
    """The describer ``settings`` (a CaptureSettings) asks for, or None."""
    if settings.vision_model is None:
        return None
    if settings.vision_mmproj is None:
        raise VisionSetupError("capture.vision_model needs capture.vision_mmproj, the model's "
                               "projector GGUF (often named mmproj-*.gguf)")
    return LlamaVisionDescriber(Path(settings.vision_model).expanduser(),
                                Path(settings.vision_mmproj).expanduser(), settings.vision_chat_handler)
