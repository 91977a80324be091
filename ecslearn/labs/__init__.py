"""Broken-world labs: templates (`templates`), the generator that proves each lab broken and then fixed
by its reference solution (`generator`), and the grader of students' saved worlds (`grader`)."""
