"""accessplan: travel-time access to children's services, gaps and budgeted investment ranking.

The package re-exports the extension module accessplan._core (tools/python/module.cpp): every function, Session,
Raster and the exceptions Error, InputError and IoError, under the names they always had (accessplan.Session(),
accessplan.InputError). accessplan.dask runs scenario files as tasks on a Dask cluster (docs/distributed.md); it is
imported only when asked for (python3 -m accessplan.dask, or import accessplan.dask), so `import accessplan` does not
need Dask.
"""

from . import _core
from ._core import *  # noqa: F401,F403 (the extension's public names; it defines no __all__)

__version__ = _core.__version__
__all__ = sorted(name for name in vars(_core) if not name.startswith("_"))

# The classes and exceptions say they are accessplan's (accessplan.InputError in a traceback, as before the package;
# pickling, e.g. an error sent back from a Dask worker, finds them here).
for _name in __all__:
    _obj = getattr(_core, _name)
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
