"""The quiz engine: keys derived from the simulator, grading, practice sessions. Returns data, never prints."""
