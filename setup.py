"""Build hook: a wheel carries the lessons and the bundled dataset.

Everything else is in pyproject.toml. ``build_py`` also copies the files named in
``custlib._share.SHARED`` (the checkout's ``notebooks/`` and ``data/synthetic/``) into
``custlib/_share/`` of the build, where :func:`custlib._share.shared` finds them once
installed, so ``pip install custlib-*.whl`` gives a ``custlib run`` with its lessons
and its data.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# the list is custlib._share's, read without importing the package (and its dependencies)
_spec = importlib.util.spec_from_file_location("_share", ROOT / "custlib" / "_share.py")
_share = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_share)
SHARED = _share.SHARED


class BuildWithShare(build_py):
    def run(self):
        super().run()
        if self.editable_mode:   # an editable install reads the checkout itself
            return
        for folder, patterns in SHARED.items():
            dest = Path(self.build_lib, "custlib", "_share", folder)
            for pattern in patterns:
                for f in sorted((ROOT / folder).glob(pattern)):
                    dest.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, dest / f.name)


setup(cmdclass={"build_py": BuildWithShare})
