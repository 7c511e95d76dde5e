"""Old argument names that keep working, with a warning, for one release."""

from __future__ import annotations

import functools
import inspect
import warnings


def renamed(*, positional: tuple[str, ...] = (), **old_names: str):
    """Accept the old names of a function's arguments for one release, with a DeprecationWarning.

    Parameters
    ----------
    positional : tuple of str
        Keyword-only arguments that used to be positional, in their old order after the data.
    **old_names : str
        Old keyword -> new keyword.
    """

    def decorate(function):
        n_data = sum(
            p.kind is p.POSITIONAL_OR_KEYWORD or p.kind is p.POSITIONAL_ONLY
            for p in inspect.signature(function).parameters.values()
        )

        @functools.wraps(function)
        def wrapper(data, *args, **kwargs):
            name = function.__name__
            if len(args) > len(positional) + n_data - 1:
                raise TypeError(f"{name}() takes too many positional arguments")
            data_args = args[: n_data - 1]
            for key, value in zip(positional, args[len(data_args) :], strict=False):
                _warn(f"{name}(): pass {key} as a keyword, {key}=...")
                _move(name, kwargs, key, key, value)
            for old, new in old_names.items():
                if old in kwargs:
                    _warn(f"{name}(): {old}= is now {new}=")
                    _move(name, kwargs, old, new, kwargs.pop(old))
            return function(data, *data_args, **kwargs)

        return wrapper

    return decorate


def _warn(message: str) -> None:
    warnings.warn(
        f"{message}; the old form goes in the next release", DeprecationWarning, stacklevel=3
    )


def _move(name: str, kwargs: dict, old: str, new: str, value: object) -> None:
    if new in kwargs and old != new:
        raise TypeError(f"{name}() got both {old}= (the old name) and {new}=")
    if old == new and new in kwargs:
        raise TypeError(f"{name}() got multiple values for argument {new!r}")
    kwargs[new] = value
