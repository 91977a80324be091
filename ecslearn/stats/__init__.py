"""Progress statistics (engine.py): data for `ecslearn stats`."""
