"""Every public name has a Google-style docstring with every section.

Functions and classes need Args (when they take arguments), Returns,
Raises, an Example and References; classes may document Returns on the
class (what calling an instance gives). Constants need a docstring of
their own (an attribute docstring, read from the source), which
mkdocstrings renders.
"""

import ast
import inspect

import pytest

from keras_wass import constraints, data, losses, metrics, models, ops

MODULES = (ops, losses, metrics, constraints, models, data)
PUBLIC = [(module, name) for module in MODULES for name in module.__all__]


def _parameters(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters if p not in ("self", "args", "kwargs")]


def _attribute_docstring(module, name):
    """The string literal right after ``name = ...`` in the defining module."""
    for source_module in [module, *(getattr(module, n) for n in dir(module) if inspect.ismodule(getattr(module, n)))]:
        try:
            tree = ast.parse(inspect.getsource(source_module))
        except (OSError, TypeError):
            continue
        body = tree.body
        for node, following in zip(body, body[1:]):
            targets = getattr(node, "targets", [getattr(node, "target", None)])
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                    return following.value.value
    return None


def _source_modules(module):
    import importlib
    import pkgutil

    return [importlib.import_module(info.name)
            for info in pkgutil.iter_modules(module.__path__, module.__name__ + ".")]


def test_every_module_lists_public_names():
    for module in MODULES:
        assert module.__all__, module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name} is in __all__ but missing"


@pytest.mark.parametrize("module,name", PUBLIC, ids=[f"{m.__name__.split('.')[-1]}.{n}" for m, n in PUBLIC])
def test_docstring_sections(module, name):
    obj = getattr(module, name)
    if not (inspect.isclass(obj) or callable(obj)):
        docs = [_attribute_docstring(source, name) for source in _source_modules(module)]
        assert any(docs), f"{module.__name__}.{name} has no attribute docstring"
        return
    doc = inspect.getdoc(obj) or ""
    required = ["Raises:", "Example", "References:"]
    if not inspect.isclass(obj):
        required.append("Returns:")
    if _parameters(obj):
        required.append("Args:")
    missing = [section for section in required if section not in doc]
    assert not missing, f"{module.__name__}.{name} docstring lacks {missing}"
    assert ">>> " in doc, f"{module.__name__}.{name}: the Example has no doctest"
