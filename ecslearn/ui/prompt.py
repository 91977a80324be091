"""Asking the learner: questionary prompts on a terminal, one line per answer otherwise.

Every prompter returns answers as text in the same form a script would type them (`B`, `A,C`,
`C,A,B`, free text), so the engine grades both the same way. Ctrl-C raises KeyboardInterrupt (the
caller saves what was answered); the end of input raises EOFError.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

END_MARK = "."


class Prompter(Protocol):
    interactive: bool

    def choice(self, message: str, options: list[tuple[str, str]], select: int) -> str: ...
    def sequence(self, message: str, letters: list[str]) -> str: ...
    def text(self, message: str, *, multiline: bool = False) -> str: ...
    def after(self, letters: list[str]) -> str: ...
    def pick_option(self, message: str, options: list[tuple[str, str]]) -> str | None: ...


class LineReader:
    """Reads one line at a time from stdin (or a given stream); end of input is EOFError."""

    interactive = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdin

    def _line(self) -> str:
        line = self.stream.readline()
        if line == "":
            raise EOFError
        return line.rstrip("\r\n")


class LinePrompter(LineReader):
    """No terminal: one answer per line; a multi-line answer ends with a line holding only `.`."""

    def choice(self, message: str, options: list[tuple[str, str]], select: int) -> str:
        return self._line().strip()

    def sequence(self, message: str, letters: list[str]) -> str:
        return self._line().strip()

    def text(self, message: str, *, multiline: bool = False) -> str:
        if not multiline:
            return self._line()
        lines: list[str] = []
        while True:
            try:
                line = self._line()
            except EOFError:
                if lines:
                    break
                raise
            if line.strip() == END_MARK:
                break
            lines.append(line)
        return "\n".join(lines)

    def after(self, letters: list[str]) -> str:
        return "next"

    def pick_option(self, message: str, options: list[tuple[str, str]]) -> str | None:
        return None


class QuestionaryPrompter:
    """A person at a terminal: arrow keys or the option's letter, then Enter."""

    interactive = True

    def _ask(self, question: object) -> object:
        # unsafe_ask lets Ctrl-C through as KeyboardInterrupt, so the caller can save and exit 130
        answer = question.unsafe_ask()  # type: ignore[attr-defined]
        if answer is None:
            raise EOFError
        return answer

    def choice(self, message: str, options: list[tuple[str, str]], select: int) -> str:
        import questionary

        if select <= 1:
            choices = [questionary.Choice(f"{letter}) {text}", value=letter, shortcut_key=letter.lower())
                       for letter, text in options]
            return str(self._ask(questionary.select(message, choices=choices, use_shortcuts=True,
                                                    use_jk_keys=False, instruction="(letter or arrows, then Enter)")))
        choices = [questionary.Choice(f"{letter}) {text}", value=letter) for letter, text in options]

        def exactly(picked: list[str]) -> bool | str:
            return True if len(picked) == select else f"Select {select}"

        picked = self._ask(questionary.checkbox(message, choices=choices, validate=exactly, use_jk_keys=False,
                                                instruction=f"(Select {select}: space to mark, Enter to submit)"))
        return ",".join(sorted(picked))  # type: ignore[arg-type]

    def sequence(self, message: str, letters: list[str]) -> str:
        import questionary

        return str(self._ask(questionary.text(message, instruction=f"(letters in order, e.g. {','.join(letters)})")))

    def text(self, message: str, *, multiline: bool = False) -> str:
        import questionary

        instruction = "(Esc then Enter to submit)" if multiline else None
        return str(self._ask(questionary.text(message, multiline=multiline, instruction=instruction)))

    def after(self, letters: list[str]) -> str:
        import questionary

        choices = [questionary.Choice("Next question", value="next", shortcut_key="n")]
        if letters:
            choices.append(questionary.Choice("Try an option: see what the simulator does with it", value="try",
                                              shortcut_key="t"))
        choices.append(questionary.Choice("Quit", value="quit", shortcut_key="q"))
        return str(self._ask(questionary.select("What next?", choices=choices, use_shortcuts=True,
                                                use_jk_keys=False)))

    def pick_option(self, message: str, options: list[tuple[str, str]]) -> str | None:
        import questionary

        choices = [questionary.Choice(f"{letter}) {text}", value=letter, shortcut_key=letter.lower())
                   for letter, text in options]
        return str(self._ask(questionary.select(message, choices=choices, use_shortcuts=True, use_jk_keys=False)))


def default_prompter(stdin: TextIO | None = None) -> Prompter:
    """questionary when stdin and stdout are terminals, else one answer per line from stdin."""
    stream = stdin if stdin is not None else sys.stdin
    if stream.isatty() and sys.stdout.isatty():
        return QuestionaryPrompter()
    return LinePrompter(stream)
