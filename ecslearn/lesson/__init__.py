"""Lessons: the format (`model`, `schema`), loading (`catalog`), the lesson world and its checks
(`world`), the content checker (`check`), the runner (`runner`) and the cluster map data (`worldmap`).

Engines only: nothing here prints. `ecslearn.shell.lesson` puts the runner behind the shell and
`ecslearn.ui.lesson` renders what it returns.
"""
