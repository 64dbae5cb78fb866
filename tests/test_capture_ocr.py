"""The real OCR (RapidOCR's bundled PP-OCRv4 models through capture/ocr.py) on rendered
screens of known text, so that speed work cannot quietly cost accuracy: word recall
over several font sizes, light and dark backgrounds; the line cache; word spacing."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from capture.ocr import RapidOcrEngine, reading_order
from capture.ocr_decode import join_with_gaps
from capture.ocr_detect import tighten
from tests.xvfb import load_font

WORDS = ("meeting notes budget review quarterly planning vegetarian recipes travel "
         "itinerary python invoice Lisbon Friday restaurant report schedule dentist "
         "appointment March 2025 project deadline 42 email Anna Berlin weather tomorrow").split()


def screen(seed: int = 0, replace: dict[int, str] | None = None):
    """A 1920x1080 BGR frame like a desktop app: a dark sidebar with light 13-16 px
    text, and a white page of 12-28 px text; with the lines drawn on it (``replace``:
    line number -> other text for that line)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(img)
    lines = []
    draw.rectangle((0, 0, 360, 1080), fill=(40, 44, 52))
    y = 20
    for size in (13, 14, 16):
        font = load_font(size)
        for _ in range(5):
            line = " ".join(rng.choice(WORDS, 3))
            draw.text((20, y), line, fill=(220, 220, 220), font=font)
            lines.append(line)
            y += int(size * 1.8)
    y = 20
    for size in (12, 14, 16, 20, 28):
        font = load_font(size)
        for _ in range(5):
            line = " ".join(rng.choice(WORDS, 10))
            line = (replace or {}).get(len(lines), line)
            draw.text((400, y), line, fill="black", font=font)
            lines.append(line)
            y += int(size * 1.6)
    return np.asarray(img)[:, :, ::-1].copy(), lines


def words(text: str) -> Counter:
    return Counter(text.lower().split())


def found(read: list[str], truth: list[str]) -> float:
    got, want = words(" ".join(read)), words(" ".join(truth))
    return sum(min(n, got[w]) for w, n in want.items()) / sum(want.values())


@pytest.fixture(scope="module")
def engine():
    return RapidOcrEngine()


@pytest.mark.parametrize("seed", [0, 1])
def test_words_on_a_rendered_screen_are_read(engine, seed):
    image, truth = screen(seed)
    lines = reading_order(engine.read(image))
    assert found(lines, truth) >= 0.95, lines
    for line in truth:  # no line, and so no font size, is lost altogether
        assert found(lines, [line]) >= 0.5, (line, lines)


def test_a_frame_with_one_new_line_reads_only_that_line_again(engine):
    image, truth = screen(2)
    first = reading_order(engine.read(image))
    rec = engine.recognizer
    misses, hits = rec.misses, rec.hits
    changed, _ = screen(2, replace={31: "dentist appointment moved to Friday"})
    second = reading_order(engine.read(changed))
    assert any("dentist appointment moved to friday" in line.lower() for line in second), second
    assert 1 <= rec.misses - misses <= 3  # the new line, and at most a neighbour or two
    assert rec.hits - hits >= len(first) - 3
    assert len([line for line in first if line not in second]) == 1


def test_thin_bands_and_tiny_regions_are_read(engine):
    image, truth = screen(3)
    band = image[0:60]  # a 12 px line and 24 px above and below, as capture.screen cuts it
    text = " ".join(reading_order(engine.read(band))).lower()
    assert found([text], [truth[15]]) >= 0.8, (text, truth[15])
    assert engine.read(np.full((20, 20, 3), 255, np.uint8)) == []


def test_tighten_cuts_a_box_to_its_line_and_keeps_neighbours_out():
    image = np.full((100, 300, 3), 255, np.uint8)
    image[10:14, 20:280] = 0  # descenders of the line above, inside the box's top
    image[30:52, 20:280] = 0  # the line itself
    left, top, right, bottom = tighten(image, (10, 8, 290, 70))
    assert 26 <= top <= 29 and 52 <= bottom <= 56  # rows 30-51, a few pixels of margin
    assert 15 <= left <= 19 and 281 <= right <= 285  # columns 20-279, likewise
    blank = np.full((40, 100, 3), 255, np.uint8)
    assert tighten(blank, (0, 0, 100, 40)) == (0, 0, 100, 40)


def test_word_spaces_come_back_from_wide_ctc_gaps():
    chars = list("helloworld")
    cols = np.array([0, 3, 6, 8, 11, 19, 22, 25, 27, 30])
    assert join_with_gaps(chars, cols) == "hello world"
    assert join_with_gaps(list("ab"), np.array([0, 3])) == "ab"


def test_simplified_graphs_compute_what_the_bundled_models_do():
    import onnx
    import onnxruntime as ort

    from capture import ocr_models
    from capture.ocr_graph import simplified

    rng = np.random.default_rng(0)
    for name, shape in ((ocr_models.RECOGNIZER, (1, 3, 36, 400)), (ocr_models.DETECTOR, (1, 3, 96, 160))):
        path = ocr_models.bundled(name)
        rewritten = simplified(path)
        before = [n.op_type for n in onnx.load(str(path)).graph.node if n.op_type != "Constant"]
        after = [n.op_type for n in onnx.load_from_string(rewritten).graph.node if n.op_type != "Constant"]
        assert len(after) < 0.8 * len(before) and after.count("Clip") < before.count("Clip"), name
        x = (rng.random(shape, np.float32) * 2 - 1)
        outs = []
        for model in (str(path), rewritten):
            s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
            outs.append(s.run(None, {s.get_inputs()[0].name: x})[0])
        assert outs[0].shape == outs[1].shape
        assert np.abs(outs[0] - outs[1]).max() < 1e-3, name
