"""One module per scenario. A scenario module exposes `NAME` and `run(context) -> list[dict]`, each dict a
row {"scenario", "metric", "value", "unit"}; `context` is a bench.context.BenchContext. Dropping a module
in this package is enough to register it."""

import importlib
import pkgutil
from types import ModuleType


def discover() -> dict[str, ModuleType]:
    """Scenario modules by NAME, in module-name order. Import after django.setup(): they use models."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(module, "NAME", None)
        if not name or not callable(getattr(module, "run", None)):
            raise RuntimeError(f"bench scenario module {module.__name__} must define NAME and run(context)")
        if name in found:
            raise RuntimeError(f"two bench scenarios are named {name!r}")
        found[name] = module
    return found
