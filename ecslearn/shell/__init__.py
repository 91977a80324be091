"""The sandbox shell: real `aws ...` commands against the simulator, plus a few shell commands.

`engine.ShellEngine` takes a line and returns a `ShellResult` (it never prints); `repl` is the
front end (prompt_toolkit on a terminal, plain lines otherwise); `completion` completes aws
commands, operations and options from the botocore models.
"""
