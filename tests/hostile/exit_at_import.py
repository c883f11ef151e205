# ruff: noqa
"""Calls sys.exit(0) while being imported, hoping a zero exit status means success."""
import sys

sys.exit(0)
