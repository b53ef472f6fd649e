"""The output folder of ``custlib run``: what may be replaced, and how.

A run builds its report in a hidden folder beside ``out`` and swaps it in at the end.
The rules that keep a user's files safe:

* ``out`` is a folder; a file at that path is refused, with or without ``--force``.
* An existing non-empty ``out`` is replaced only with ``--force``, and only if custlib
  wrote it: it holds the marker :data:`MARKER`, whose manifest lists every file the
  run wrote, and nothing else (a file added since, e.g. notes kept beside the
  report, makes it refused too).
* Nothing that the run read (the data files, through symlinks too, and the mapping
  file) may lie inside ``out``: replacing ``out`` would delete it.
* One run at a time per ``out``: a lock file beside it (``.NAME.lock``) holds the
  pid of the run; a second run is refused while that process lives.
* Folders left by a run that was killed (``.NAME.building-PID-*``,
  ``.NAME.old-PID``) are removed by the next run, once their process is gone.
* The report is for sharing (a shared folder, a web server): ``out`` and everything in
  it get the modes the user's umask gives a new folder or file
  (:func:`apply_umask`), not the private mode of the temporary build folder.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
from pathlib import Path

__all__ = ["MARKER", "OutputError", "check_out", "check_inputs_outside", "OutputLock",
           "remove_dead", "remove_stale", "write_marker", "swap_in", "current_umask",
           "apply_umask"]

#: The file that marks a folder as written by ``custlib run``, with its manifest.
MARKER = ".custlib-run.json"


class OutputError(FileExistsError):
    """The output folder cannot be used as asked; nothing was changed."""


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process
        return True
    try:  # a zombie has finished
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _unexpected_files(out: Path) -> list[str] | None:
    """Files in ``out`` that its manifest does not list (None: no manifest)."""
    try:
        manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))
        listed = set(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = {p.relative_to(out).as_posix() for p in out.rglob("*")
             if (p.is_file() or p.is_symlink()) and p.name != MARKER}
    return sorted(found - listed)


def _older_report(out: Path) -> bool:
    """A report of a custlib version before the marker: exactly its folders and files."""
    names = {p.name for p in out.iterdir()}
    try:
        index = (out / "index.html").read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False
    return (names <= {"index.html", "lessons", "notebooks", "files", "data"}
            and "<title>Customer Analysis Workbook" in index
            and (out / "data" / "validation.txt").is_file()
            and all(p.suffix in {".html"} for p in (out / "lessons").glob("*"))
            and all(p.suffix in {".ipynb"} for p in (out / "notebooks").glob("*")))


def check_out(out: Path, force: bool) -> None:
    """Raise :class:`OutputError` unless ``out`` may be written as asked."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        kind = "a link" if out.is_symlink() else "a file"
        raise OutputError(f"--out {out} is {kind}, not a folder: choose a folder "
                          f"({kind} there is never replaced)")
    if not out.exists() or not any(out.iterdir()):
        return
    if not force:
        raise OutputError(f"{out} exists and is not empty; choose another --out or pass "
                          "--force to replace it")
    extra = _unexpected_files(out)
    if extra is None and _older_report(out):
        extra = []
    if extra is None:
        raise OutputError(f"{out} was not written by custlib run (it has no {MARKER}); "
                          "--force replaces only a report folder custlib wrote. Choose "
                          "another --out: nothing was changed")
    if extra:
        shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        raise OutputError(f"{out} holds files custlib run did not write ({shown}); "
                          "--force would delete them. Move them out of the folder or "
                          "choose another --out: nothing was changed")


def check_inputs_outside(out: Path, inputs: list[Path]) -> None:
    """Raise :class:`OutputError` if a file that was read lies inside ``out``."""
    out_real = Path(os.path.realpath(out))
    for path in inputs:
        for candidate in {Path(os.path.abspath(path)), Path(os.path.realpath(path))}:
            if candidate == out_real or out_real in candidate.parents \
                    or out in candidate.parents:
                raise OutputError(f"the input {path} lies inside the output folder {out}: "
                                  "replacing the report would delete it. Choose another --out")


class OutputLock:
    """``.NAME.lock`` beside ``out`` while a run writes it (a context manager)."""

    def __init__(self, out: Path):
        self.path = out.with_name(f".{out.name}.lock")

    def __enter__(self):
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.path.read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pid = -1
                if _alive(pid) and pid != os.getpid():
                    raise OutputError(f"another custlib run (pid {pid}) is writing "
                                      f"{self.path.with_name(self.path.name[1:-5])}; wait for it or "
                                      "choose another --out") from None
                self.path.unlink(missing_ok=True)      # left by a run that was killed
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()}\n")
            return self
        raise OutputError(f"could not take the lock {self.path}")

    def __exit__(self, *exc):
        try:
            if int(self.path.read_text().split()[0]) == os.getpid():
                self.path.unlink()
        except (OSError, ValueError, IndexError):
            pass
        return False


def build_prefix(out: Path) -> str:
    """Name prefix of this process's build folder beside ``out``."""
    return f".{out.name}.building-{os.getpid()}-"


def remove_dead(folder: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove the folders in ``folder`` named ``<prefix><pid>-…`` or ``<prefix><pid>``
    whose process is gone (a run that was killed); return them."""
    removed = []
    if not folder.is_dir():
        return removed
    for p in folder.iterdir():
        prefix = next((t for t in prefixes if p.name.startswith(t)), None)
        if prefix is None or not p.is_dir() or p.is_symlink():
            continue
        try:
            pid = int(p.name[len(prefix):].split("-")[0])
        except ValueError:
            continue
        if not _alive(pid):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def remove_stale(out: Path) -> list[str]:
    """Remove build and old folders beside ``out`` whose run is gone; return their names."""
    return [p.name for p in remove_dead(out.parent, (f".{out.name}.building-", f".{out.name}.old-"))]


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Linux shows it in ``/proc/self/status``; elsewhere it is set and put back at once
    (``os.umask`` cannot be read otherwise), which a file created by another thread in
    that instant could notice: call this before starting threads.

    Returns
    -------
    int
        E.g. ``0o022``.

    Examples
    --------
    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def apply_umask(folder: Path, umask: int | None = None) -> None:
    """Give ``folder`` and everything in it the modes the umask gives new ones.

    Folders get ``0o777 & ~umask`` and files ``0o666 & ~umask``: what ``mkdir`` and
    ``open`` would have made, whatever wrote them (the build folder of
    ``tempfile.mkdtemp`` is ``0o700``, a file written through ``mkstemp`` is
    ``0o600``). Symbolic links are left alone, and so is what they point at.

    Parameters
    ----------
    folder : Path
        A folder the run wrote.
    umask : int, optional
        Default: :func:`current_umask`.
    """
    mask = current_umask() if umask is None else umask
    dir_mode, file_mode = 0o777 & ~mask, 0o666 & ~mask
    os.chmod(folder, dir_mode)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, dir_mode)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, file_mode)


def write_marker(build: Path, info: dict) -> None:
    """Write :data:`MARKER` into ``build``: ``info`` plus every file with size and SHA-256."""
    files = {}
    for p in sorted(build.rglob("*")):
        if p.is_file():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            files[p.relative_to(build).as_posix()] = {"bytes": p.stat().st_size, "sha256": digest}
    manifest = {"written_by": "custlib run",
                "at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                **info, "files": files}
    (build / MARKER).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")


def swap_in(build: Path, out: Path, force: bool) -> None:
    """Move ``build`` to ``out``, replacing a custlib-written ``out`` (checked again now)."""
    check_out(out, force)     # something may have appeared at `out` during the run
    try:
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            try:
                build.rename(out)
            except OSError:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            build.rename(out)
    except OSError as exc:
        raise OutputError(f"could not move the report into {out}: {exc.strerror or exc}; "
                          "nothing was changed") from None
