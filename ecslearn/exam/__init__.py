"""Exam mode: exam facts (data.py), forms, timed attempts, scoring (engine.py). Engines only: nothing prints."""
