"""Writing an export safely: only inside the folder the user names, never half-written, no clobbering.

`OutputDir(target, force=False)` stages every file in a temporary folder *inside* the target, and only
when everything has been written does `commit()` move the files into place. Names (which may come from
content or a roster) must be plain relative paths: no absolute paths, no `..`, no hidden names, and no
existing symlink on the way; each final path is resolved and must stay inside the resolved target.
An existing file is replaced only with `force`. On any error the staging folder is removed and nothing
in the target changes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ecslearn.errors import ExportError

_SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")


def safe_name(name: str, what: str = "file name") -> str:
    """A relative POSIX path whose every part is a plain name; ExportError otherwise."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        raise ExportError(f"refusing to write {name!r}: a {what} must be a plain relative name")
    parts = PurePosixPath(name).parts
    for part in parts:
        if part in (".", "..") or not _SAFE_PART.match(part):
            raise ExportError(f"refusing to write {name!r}: {part!r} is not a safe {what} "
                              "(letters, digits, '.', '_', '+', '-'; not starting with '.' or '-')")
    return "/".join(parts)


def _strerror(err: OSError) -> str:
    return err.strerror or str(err)


class OutputDir:
    """Stage files for `target`; `commit()` moves them into place (see the module docstring)."""

    def __init__(self, target: str | os.PathLike[str], *, force: bool = False) -> None:
        path = Path(target).expanduser()
        self.display = str(target)
        if path.exists() and not path.is_dir():
            raise ExportError(f"the output {self.display} exists and is not a folder")
        if not path.exists():
            if path.is_symlink():
                raise ExportError(f"the output {self.display} is a dangling symlink")
            if not path.parent.is_dir():
                raise ExportError(f"cannot create the output folder {self.display}: the folder "
                                  f"{path.parent} does not exist", hint="create it first, or pick another --out")
            try:
                path.mkdir()
            except OSError as err:
                raise ExportError(f"cannot create the output folder {self.display}: {_strerror(err)}") from None
        self.root = path.resolve()
        self.force = force
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=".ecslearn-export-", dir=self.root))
        except OSError as err:
            raise ExportError(f"cannot write in {self.display}: {_strerror(err)}",
                              hint="pick a folder you can write to with --out") from None
        self._names: list[str] = []
        self._done = False

    # --- paths ---------------------------------------------------------------------------------

    def _final(self, name: str) -> Path:
        final = self.root / name
        # every existing part on the way must be a real folder inside the root (no symlinks)
        current = self.root
        for part in PurePosixPath(name).parts[:-1]:
            current = current / part
            if current.is_symlink() or (current.exists() and not current.is_dir()):
                raise ExportError(f"refusing to write {name}: {current} is not a plain folder inside "
                                  f"{self.display}")
        if final.is_symlink():
            raise ExportError(f"refusing to write {name}: it is a symlink in {self.display}")
        resolved = final.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise ExportError(f"refusing to write {name}: it resolves outside {self.display}")
        if final.exists() and not self.force:
            raise ExportError(f"{final} already exists", hint="pass --force to overwrite, or pick another --out")
        if final.is_dir():
            raise ExportError(f"refusing to write {name}: a folder of that name exists")
        return final

    def path(self, name: str) -> Path:
        """A staging path to write `name` to (the folders are created)."""
        name = safe_name(name)
        if name in self._names:
            raise ExportError(f"two outputs want the same file name {name}")
        self._final(name)  # refuse early (existing file, symlink) before any work
        self._names.append(name)
        staged = self.staging / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_bytes(self, name: str, data: bytes) -> None:
        staged = self.path(name)
        try:
            with open(staged, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as err:
            raise ExportError(f"cannot write {name} in {self.display}: {_strerror(err)}") from None

    # --- finishing -------------------------------------------------------------------------------

    def commit(self) -> list[Path]:
        """Move every staged file into place (checked again first); return the final paths."""
        finals = [self._final(name) for name in self._names]
        written = []
        try:
            for name, final in zip(self._names, finals):
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.parent.resolve() != (self.root / name).parent.resolve() or final.parent.is_symlink():
                    raise ExportError(f"refusing to write {name}: its folder changed under us")
                os.replace(self.staging / name, final)
                written.append(final)
        except OSError as err:
            raise ExportError(f"cannot write in {self.display}: {_strerror(err)}") from None
        finally:
            self.discard()
        self._done = True
        return written

    def discard(self) -> None:
        """Remove the staging folder (and whatever was staged)."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.staging)

    def __enter__(self) -> OutputDir:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self._done:
            self.discard()
