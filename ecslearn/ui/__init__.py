"""Rendering and prompting: the only package that imports rich and questionary."""
