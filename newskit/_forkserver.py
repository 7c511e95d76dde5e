"""Preloaded by the forkserver that starts newskit's pool workers, and imported nowhere else.

A worker forked from the server takes the server's SIGINT handler as it was before the
server's own loop began. Ignoring SIGINT here makes every worker ignore Ctrl-C from its first
instruction, not only once its initializer runs (a Ctrl-C in between printed a traceback):
the process that started the pool is the one that stops it.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)

import newskit.load  # noqa: E402, F401  - the workers start ready to parse
