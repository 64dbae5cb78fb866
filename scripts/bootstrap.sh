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
