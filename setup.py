"""Builds newskit's C speed-ups: the reader of plain front matter, the folder scan, the
story keys of plain titles and addresses, and the Python lists of list columns (with the
Arrow text and date columns the column builder makes).

All are optional: where no C compiler is at hand, newskit installs and works without them,
reading front matter with yaml-rs and PyYAML, listing folders with os.scandir, making keys
with Arrow's string kernels, lists with pyarrow's to_pylist and columns with pa.array.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("newskit._plainyaml", ["newskit/_plainyaml.c"], optional=True),
        Extension("newskit._scan", ["newskit/_scan.c"], optional=True),
        Extension("newskit._keys", ["newskit/_keys.c"], optional=True),
        Extension("newskit._lists", ["newskit/_lists.c"], optional=True),
    ]
)
