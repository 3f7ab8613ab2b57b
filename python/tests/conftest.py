"""Shared paths for the h5rd Python tests (run by ctest with PYTHONPATH=build/python)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("H5RD_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(HERE, "data")
FIXTURES = os.path.join(SRC, "fixtures")
