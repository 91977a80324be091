"""Content: loading and validating quizzes (and lessons) from YAML into typed objects, with file:line errors."""
