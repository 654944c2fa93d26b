"""The SimPy layer: satellite state, parts, failures, repair rules and the recorder.

It imports no skyfield, matplotlib or file I/O; everything it uses arrives as arguments.
"""
