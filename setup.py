"""Builds newskit's C speed-ups: the reader of plain front matter, the folder scan and the
story keys of plain titles and addresses.

All are optional: where no C compiler is at hand, newskit installs and works without them,
reading front matter with yaml-rs and PyYAML, listing folders with os.scandir and making keys
with Arrow's string kernels.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("newskit._plainyaml", ["newskit/_plainyaml.c"], optional=True),
        Extension("newskit._scan", ["newskit/_scan.c"], optional=True),
        Extension("newskit._keys", ["newskit/_keys.c"], optional=True),
    ]
)
