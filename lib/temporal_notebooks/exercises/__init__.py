"""Check functions for the lessons' exercises (one module per lesson) and their solutions.

A check never raises: it returns a ``CheckResult`` that says pass, or what is still wrong, so
Restart & Run All goes on. ``solutions/<lesson>.py`` is the text ``%solution <lesson>`` loads.
"""
