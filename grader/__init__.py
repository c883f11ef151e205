"""mlkata: terminal practice for machine-learning interviews."""

__version__ = "0.1.0"
