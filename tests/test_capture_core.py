"""The screen observer's own logic with scripted frames, OCR and windows: change
check, reading order, pause, idle, lock, exclusions, merging, redaction, several
monitors, screenshot expiry. The loop that runs it: tests/test_capture_loop.py."""

from __future__ import annotations

import os
import sys
import time
import types
from datetime import timedelta

import numpy as np
import pytest

from capture.change import ChangeDetector
from capture.frames import Frame, clip, monitor_for
from capture.ocr import TextBox, reading_order
from capture.privacy import default_policy
from capture.screen import ScreenObserver, expire_screenshots
from capture.state import CaptureState, parse_duration
from capture.window import ActiveWindow
from memory.timeutil import now_utc

SCREEN = (0, 0, 1920, 1080)


class FakeFrames:
    def __init__(self):
        self.pixels = np.full((1080, 1920, 4), 255, np.uint8)
        self.grabs = []

    def monitors(self):
        return [SCREEN]

    def grab(self, region):
        self.grabs.append(region)
        x, y, w, h = region
        return Frame(self.pixels[y:y + h, x:x + w].copy(), region)


class FakeOcr:
    def __init__(self, lines=("Hello",)):
        self.lines = list(lines)
        self.calls = 0

    def read(self, image):
        self.calls += 1
        self.shapes = getattr(self, "shapes", []) + [image.shape]
        return [TextBox(t, 0.9, 10, 30 * i, 200, 30 * i + 20) for i, t in enumerate(self.lines)]


class FakeWindows:
    def __init__(self, app="gedit", title="notes.txt - gedit", bounds=(100, 100, 800, 600)):
        self.window = ActiveWindow(app=app, title=title, bounds=bounds)

    def active(self):
        return self.window

    def running_apps(self):
        return [self.window.app]


class FakeActivity:
    idle = 0.0
    locked = False

    def idle_seconds(self):
        return self.idle

    def screen_locked(self):
        return self.locked


@pytest.fixture
def parts(tmp_path):
    frames, ocr, windows, act = FakeFrames(), FakeOcr(), FakeWindows(), FakeActivity()
    obs = ScreenObserver(frames, ocr, windows, act, default_policy(), CaptureState(tmp_path),
                         screenshot_dir=tmp_path / "shots")
    return obs, frames, ocr, windows, act


def test_change_detector_skips_unchanged_frames_and_boxes_what_moved():
    det = ChangeDetector()
    px = np.full((1080, 1920, 4), 200, np.uint8)
    assert det.check(Frame(px, SCREEN)).changed  # the first frame is news
    assert not det.check(Frame(px.copy(), SCREEN)).changed
    px2 = px.copy()
    px2[500:540, 300:700] = 0
    change = det.check(Frame(px2, SCREEN))
    assert change.changed and 0 < change.fraction < 0.05
    x, y, w, h = change.region
    assert x <= 300 and y <= 500 and x + w >= 700 - 8 and y + h >= 540 - 8
    assert det.check(Frame(px2, (0, 0, 1920, 1000))).changed  # another region is news


def test_unchanged_frame_check_is_cheap():
    det = ChangeDetector()
    px = np.random.default_rng(0).integers(0, 255, (1080, 1920, 4), np.uint8)
    det.check(Frame(px, SCREEN))
    t = time.perf_counter()
    for _ in range(20):
        det.check(Frame(px, SCREEN))
    per_frame_ms = (time.perf_counter() - t) / 20 * 1000
    assert per_frame_ms < 1000  # sanity only; benchmarks/capture.py measures it


def test_reading_order_groups_lines_left_to_right():
    boxes = [TextBox("world", 0.9, 120, 12, 200, 32), TextBox("Hello", 0.9, 10, 10, 100, 30),
             TextBox("second", 0.9, 10, 50, 100, 70), TextBox("line", 0.9, 110, 52, 160, 72)]
    assert reading_order(boxes) == ["Hello world", "second line"]


def test_regions_are_clipped_to_the_monitor():
    assert clip((-50, -50, 200, 200), SCREEN) == (0, 0, 150, 150)
    assert clip((5000, 0, 10, 10), SCREEN) is None
    assert monitor_for((2000, 10, 100, 100), [SCREEN, (1920, 0, 1920, 1080)]) == (1920, 0, 1920, 1080)


def test_a_capture_reads_the_active_window_and_redacts(parts):
    obs, frames, ocr, windows, _ = parts
    ocr.lines = ["Quarterly report draft", "card 4111 1111 1111 1111 on file"]
    out = obs.capture()
    assert out.captured and frames.grabs[-1] == (100, 100, 800, 600)
    assert out.observation.app == "gedit" and out.observation.window == "notes.txt - gedit"
    assert "Quarterly report draft" in out.observation.text
    assert "4111 1111 1111 1111" not in out.observation.text and out.redactions
    again = obs.capture()  # nothing moved on screen
    assert not again.captured and again.reason == "unchanged" and ocr.calls == 1


def test_pause_idle_lock_and_exclusion_stop_capture(parts):
    obs, frames, ocr, windows, act = parts
    obs.state.pause(timedelta(minutes=30))
    assert obs.capture().reason == "paused"
    obs.state.resume()
    act.locked = True
    assert obs.capture().reason == "locked"
    act.locked, act.idle = False, 3600
    assert obs.capture().reason == "idle"
    assert obs.capture(ignore_idle=True).captured
    act.idle = 0
    windows.window = ActiveWindow(app="KeePassXC", title="Passwords.kdbx - KeePassXC",
                                  bounds=(0, 0, 500, 500))
    out = obs.capture()
    assert out.reason == "excluded" and ocr.calls == 1 and len(frames.grabs) == 1


def test_pause_expires_and_durations_parse(tmp_path):
    state = CaptureState(tmp_path)
    state.pause(timedelta(minutes=30))
    assert state.get().paused
    assert not state.get(now=now_utc() + timedelta(minutes=31)).paused
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("45") == timedelta(minutes=45)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_screenshots_stay_off_disk_unless_asked_and_then_expire(parts, tmp_path):
    obs, *_ = parts
    obs.capture()
    assert not (tmp_path / "shots").exists()
    obs.settings = obs.settings.model_copy(update={"keep_screenshots": True})
    obs.detector.reset()
    obs.capture()
    (shot,) = (tmp_path / "shots").glob("*.png")
    assert oct(shot.stat().st_mode & 0o777) == "0o600"
    assert expire_screenshots(tmp_path / "shots", timedelta(hours=1),
                              now=now_utc() + timedelta(hours=2)) == 1


def test_frames_of_one_window_merge_into_one_observation(fam):
    from memory.models import NewObservation

    def frame(text, window="doc - Writer", at=None):
        return NewObservation("screen", text, app="writer", window=window, at=at or now_utc())

    first, merged = fam.record_screen(frame("Chapter 1\nIt was a dark night"))
    assert not merged
    same, merged = fam.record_screen(frame("Chapter 1\nIt was a dark night\nand stormy"))
    assert same == first and merged
    assert fam.ledger.observation(first).text == "Chapter 1\nIt was a dark night\nand stormy"
    other, merged = fam.record_screen(frame("Inbox (3)", window="Mail"))
    assert other != first and not merged
    later, merged = fam.record_screen(frame("Chapter 2", window="Mail",
                                            at=now_utc() + timedelta(hours=1)))
    assert later != other  # too long after: a new observation
    fam.user_model.process()  # once read, an observation is not extended any more
    after, merged = fam.record_screen(frame("Chapter 2\nmore", window="Mail"))
    assert after != later and not merged


def test_after_the_first_frame_only_the_changed_rows_are_read(parts):
    obs, frames, ocr, windows, _ = parts
    assert obs.capture().captured
    assert ocr.shapes[-1][:2] == (600, 800)  # the first frame of a window: all of it
    frames.pixels[400:430, 150:400] = 0  # a new line typed inside the window
    assert obs.capture().captured
    height, width = ocr.shapes[-1][:2]
    # whole rows, not a sliver: the 30 changed rows, the padding, and up to two
    # sampling steps of rounding on each side
    assert width == 800 and 30 <= height <= 30 + 2 * 24 + 4 * 8
    frames.pixels[100:700, 100:900] = 0  # most of the window moved: read all of it
    assert obs.capture().captured and ocr.shapes[-1][:2] == (600, 800)


class FakeDescriber:
    """Stands in for a vision GGUF (none ships with Familiar, so the real
    LlamaVisionDescriber cannot run here); records what it was shown."""

    def __init__(self, text="A text editor with a quarterly report. Card 4111 1111 1111 1111.",
                 fail=False):
        self.text, self.fail, self.shapes = text, fail, []

    def describe(self, image):
        self.shapes.append(image.shape)
        if self.fail:
            raise RuntimeError("model crashed")
        return self.text


def test_a_vision_describer_adds_a_redacted_description_beside_ocr(parts):
    obs, frames, ocr, windows, _ = parts
    obs.describer = FakeDescriber()
    out = obs.capture()
    assert out.captured and ocr.calls == 1 and obs.describer.shapes == [(600, 800, 3)]
    assert out.lines[0].startswith("[screen] A text editor with a quarterly report.")
    assert "Hello" in out.observation.text  # OCR's text too
    assert "4111 1111 1111 1111" not in out.observation.text and "card" in out.redactions
    frames.pixels[400:430, 150:400] = 0  # a one-line change: OCR only, no new description
    assert obs.capture().captured and ocr.calls == 2 and len(obs.describer.shapes) == 1


def test_vision_instead_of_ocr_and_ocr_when_the_model_fails(parts):
    obs, frames, ocr, windows, _ = parts
    obs.settings = obs.settings.model_copy(update={"vision_mode": "instead"})
    obs.describer = FakeDescriber(text="A spreadsheet of travel costs.")
    out = obs.capture()
    assert out.captured and ocr.calls == 0 and out.lines == ["[screen] A spreadsheet of travel costs."]
    frames.pixels[400:430, 150:400] = 0
    assert obs.capture().captured and ocr.calls == 0 and len(obs.describer.shapes) == 2
    obs.describer = FakeDescriber(fail=True)
    frames.pixels[400:430, 150:400] = 255
    out = obs.capture()
    assert out.captured and ocr.calls == 1 and out.lines == ["Hello"] and "describe" in out.timings_ms


def test_vision_settings_build_a_describer_only_when_complete(tmp_path, make_familiar):
    from capture.vision import LlamaVisionDescriber, VisionSetupError, image_data_url, vision_describer

    fam = make_familiar()
    assert fam.settings.capture.vision_model is None and vision_describer(fam.settings.capture) is None
    model, mmproj = tmp_path / "vlm.gguf", tmp_path / "mmproj.gguf"
    with pytest.raises(VisionSetupError, match="vision_mmproj"):
        vision_describer(make_familiar(capture={"vision_model": str(model)}).settings.capture)
    with pytest.raises(VisionSetupError, match="is not a file"):
        vision_describer(make_familiar(capture={"vision_model": str(model),
                                                "vision_mmproj": str(mmproj)}).settings.capture)
    model.write_bytes(b"GGUF")
    mmproj.write_bytes(b"GGUF")
    fam = make_familiar(capture={"vision_model": str(model), "vision_mmproj": str(mmproj),
                                 "vision_chat_handler": "moondream"})
    describer = vision_describer(fam.settings.capture)
    assert isinstance(describer, LlamaVisionDescriber) and describer._llm is None  # loads on first use
    assert fam.screen.describer is not None
    with pytest.raises(VisionSetupError, match="unknown"):
        LlamaVisionDescriber(model, mmproj, "nonsense")
    url = image_data_url(np.zeros((1080, 1920, 4), np.uint8))
    assert url.startswith("data:image/png;base64,")


# --------------------------------------------------------------- several monitors

LEFT, RIGHT = (0, 0, 1920, 1080), (1920, 200, 1280, 1024)  # side by side, the right one lower


class TwoMonitors(FakeFrames):
    def __init__(self):
        super().__init__()
        self.pixels = np.full((1224, 3200, 4), 255, np.uint8)  # the virtual screen

    def monitors(self):
        return [LEFT, RIGHT]


@pytest.fixture
def two_monitors(parts):
    obs, _, ocr, windows, _ = parts
    obs.frames = frames = TwoMonitors()
    return obs, frames, ocr, windows


def test_a_window_is_read_on_the_monitor_that_shows_most_of_it(two_monitors):
    obs, frames, ocr, windows = two_monitors
    windows.window = ActiveWindow(app="gedit", title="notes", bounds=(1800, 300, 800, 600))
    assert obs.capture().captured
    assert frames.grabs == [(1920, 300, 680, 600)]  # its part on the right monitor only
    assert monitor_for((1800, 300, 800, 600), [LEFT, RIGHT]) == RIGHT
    assert monitor_for((-32000, -32000, 160, 28), [LEFT, RIGHT]) is None


def test_a_window_on_no_monitor_is_not_captured(two_monitors):
    obs, frames, ocr, windows = two_monitors
    # Windows parks a minimised window at -32000; whatever is on screen is not it.
    windows.window = ActiveWindow(app="EXCEL", title="Budget.xlsx", bounds=(-32000, -32000, 160, 28))
    out = obs.capture()
    assert out.reason == "off screen" and frames.grabs == [] and ocr.calls == 0


def test_without_window_bounds_each_monitor_is_read_in_turn(two_monitors):
    obs, frames, ocr, windows = two_monitors
    windows.window = ActiveWindow(app=None, title=None)  # e.g. Wayland: no window info
    assert obs.capture().captured and obs.capture().captured
    assert frames.grabs == [LEFT, RIGHT] and ocr.calls == 2
    # A static screen: one grab per capture, each checked against that monitor's last frame.
    assert [obs.capture().reason for _ in range(4)] == ["unchanged"] * 4
    assert frames.grabs[2:] == [LEFT, RIGHT, LEFT, RIGHT] and ocr.calls == 2
    frames.pixels[700:730, 2000:2400] = 0  # a line changes on the right monitor
    assert obs.capture().reason == "unchanged"  # the left one, still the same
    assert obs.capture().captured and ocr.calls == 3
    assert ocr.shapes[-1][1] == 1280 and ocr.shapes[-1][0] < 200  # only the changed rows
    # A known window in between keeps its own change check; the monitors keep theirs.
    windows.window = ActiveWindow(app="gedit", title="notes", bounds=(100, 100, 800, 600))
    assert obs.capture().captured and frames.grabs[-1] == (100, 100, 800, 600)
    windows.window = ActiveWindow(app=None, title=None)
    assert obs.capture().reason == "unchanged" and obs.capture().reason == "unchanged"


class FakeMss:
    """mss as it reports two monitors, the left one at negative x: [union, each one]."""

    monitors = [{"left": -1920, "top": 0, "width": 3840, "height": 1080},
                {"left": -1920, "top": 0, "width": 1920, "height": 1080},
                {"left": 0, "top": 0, "width": 1920, "height": 1080}]

    def __init__(self):
        self.grabs = []

    def grab(self, box):
        self.grabs.append(box)
        shade = 40 if box["left"] < 0 else 220
        raw = bytes([shade]) * (box["width"] * box["height"] * 4)
        return type("Shot", (), {"raw": raw, "width": box["width"], "height": box["height"]})()

    def close(self):
        pass


def test_mss_frames_per_monitor(parts, monkeypatch):
    from capture.frames import MssFrames

    sct = FakeMss()
    monkeypatch.setitem(sys.modules, "mss", types.SimpleNamespace(mss=lambda: sct))
    frames = MssFrames()
    assert frames.monitors() == [(-1920, 0, 1920, 1080), (0, 0, 1920, 1080)]  # not the union
    obs, _, ocr, windows, _ = parts
    obs.frames = frames
    windows.window = ActiveWindow(app=None, title=None)
    assert obs.capture().captured and obs.capture().captured
    assert sct.grabs == [{"left": -1920, "top": 0, "width": 1920, "height": 1080},
                         {"left": 0, "top": 0, "width": 1920, "height": 1080}]
    assert ocr.shapes == [(1080, 1920, 3), (1080, 1920, 3)]
    windows.window = ActiveWindow(app="Code", title="main.py", bounds=(-1000, 100, 1400, 800))
    assert obs.capture().captured  # mostly on the left monitor: cut at its right edge
    assert sct.grabs[-1] == {"left": -1000, "top": 100, "width": 1000, "height": 800}


def test_mss_frames_see_a_monitor_plugged_in(monkeypatch):
    """mss lists monitors once per instance: the instance is renewed after
    MONITORS_TTL_S, and the new list is used."""
    from capture import frames as frames_mod

    one = FakeMss()
    one.monitors = FakeMss.monitors[2:] * 2  # a laptop screen alone: [union, it]
    made = [one]
    monkeypatch.setitem(sys.modules, "mss", types.SimpleNamespace(mss=lambda: made[-1]))
    now = [0.0]
    frames = frames_mod.MssFrames(clock=lambda: now[0])
    assert frames.monitors() == [(0, 0, 1920, 1080)]
    made.append(FakeMss())  # a second monitor is plugged in, on the left
    now[0] += frames_mod.MONITORS_TTL_S - 1
    assert frames.monitors() == [(0, 0, 1920, 1080)]  # not listed again yet
    now[0] += 1
    assert frames.monitors() == [(-1920, 0, 1920, 1080), (0, 0, 1920, 1080)]
    frames.grab((-1920, 0, 1920, 1080))
    assert made[-1].grabs and not one.grabs


# ------------------------------------------------------------- screenshot expiry

def test_old_screenshots_expire_even_when_nothing_is_captured(parts, tmp_path, monkeypatch):
    from capture import screen as screen_mod

    obs, frames, ocr, *_ = parts
    shots = tmp_path / "shots"
    shots.mkdir()

    def shot(name, age_hours):
        path = shots / name
        path.write_bytes(b"\x89PNG")
        at = time.time() - age_hours * 3600
        os.utime(path, (at, at))
        return path

    old, fresh = shot("old.png", 30), shot("fresh.png", 1)
    obs.state.pause()  # capture paused, keep_screenshots off: expiry still runs
    assert obs.capture().reason == "paused"
    assert not old.exists() and fresh.exists() and ocr.calls == 0
    older = shot("older.png", 48)
    obs.capture()
    assert older.exists()  # not looked at again on every capture...
    later = time.monotonic() + screen_mod.EXPIRE_EVERY_S + 1
    monkeypatch.setattr(screen_mod.time, "monotonic", lambda: later)
    obs.capture()
    assert not older.exists() and fresh.exists()  # ...but again after EXPIRE_EVERY_S
