"""The command line: the only package that imports typer. `main()` is the single error boundary."""
