"""Spaced review (FSRS): the review deck in the learner state (engine.py); `due.py` counts due cards cheaply."""
