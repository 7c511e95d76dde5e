"""Builds newskit's C speed-ups: the reader of plain front matter and the folder scan.

Both are optional: where no C compiler is at hand, newskit installs and works without them,
reading front matter with yaml-rs and PyYAML and listing folders with os.scandir.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("newskit._plainyaml", ["newskit/_plainyaml.c"], optional=True),
        Extension("newskit._scan", ["newskit/_scan.c"], optional=True),
    ]
)
