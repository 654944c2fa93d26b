"""Radiation environment: where and how hard radiation hits a satellite."""
