"""Builds newskit's C reader of plain front matter (newskit/_plainyaml.c).

The extension is optional: where no C compiler is at hand, newskit installs and works without
it, reading front matter with yaml-rs and PyYAML only.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("newskit._plainyaml", ["newskit/_plainyaml.c"], optional=True)])
