#!/bin/sh
# Installs Familiar into ./.venv on a fresh Debian (or any Linux) machine with Python 3.11+.
#   sh scripts/bootstrap.sh        # the app
#   sh scripts/bootstrap.sh test   # the app and the test tools
# llama-cpp-python compiles from source the first time (a few minutes on 2 cores);
# pip caches the wheel after that.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "bootstrap: need root to run: $*" >&2; return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || { echo "bootstrap: please install: $*" >&2; exit 1; }
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# A C/C++ compiler for llama-cpp-python, and venv support (Debian splits it out).
command -v g++ >/dev/null && command -v make >/dev/null || apt_install build-essential
if [ ! -x .venv/bin/python ]; then
  $PY -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv; $PY -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip
# torch 2.13.0: the CPU build (a bare `torch` would pull gigabytes of CUDA packages).
.venv/bin/python -m pip show torch >/dev/null 2>&1 || .venv/bin/python -m pip install -q torch==2.13.0
if [ "${1:-}" = test ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
  # The screen-capture tests run a real X server with real windows.
  command -v Xvfb >/dev/null && command -v evilwm >/dev/null \
    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
    || apt_install xvfb evilwm fonts-dejavu-core
else
  .venv/bin/python -m pip install -q -e .
fi
# OpenCV (used by the OCR) needs libGL and GLib, which a minimal Debian lacks.
.venv/bin/python -c "import cv2" 2>/dev/null || apt_install libgl1 libglib2.0-0
# Qt (the desktop app) needs EGL/GL, fontconfig, xkbcommon and D-Bus, and its X11 and
# Wayland platform plugins need the xcb and wayland client libraries; a minimal Debian
# lacks most of them (the offscreen platform, used by the tests, needs only the first).
QT_DIR=$(.venv/bin/python -c "import os, PySide6; print(os.path.dirname(PySide6.__file__))" 2>/dev/null || true)
if [ -n "$QT_DIR" ] && { ! .venv/bin/python -c "import PySide6.QtWidgets" 2>/dev/null \
    || ldd "$QT_DIR/Qt/plugins/platforms/libqxcb.so" "$QT_DIR/Qt/plugins/platforms/libqwayland.so" \
       2>/dev/null | grep -q "not found" \
    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }; then
  apt_install libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libxkbcommon-x11-0 \
    libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
    libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 \
    libxcb-glx0 libxrender1 libwayland-client0 libwayland-cursor0 fonts-dejavu-core
fi
