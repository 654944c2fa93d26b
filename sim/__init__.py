"""orbsim: how much compute an orbital data center delivers over its life, and what keeps it so."""

__version__ = "0.1.0"
