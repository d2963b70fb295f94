"""The type stubs and docstrings: _core.pyi declares exactly what the compiled module has, and
every public name of the package has a docstring (what a notebook's autocomplete shows)."""
import ast
import inspect
import pathlib

import funnelsim
from funnelsim import _core

PACKAGE = pathlib.Path(funnelsim.__file__).parent


def stub_names(tree):
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} - {"__init__"}
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = None
    return names


def test_the_package_ships_its_stubs_and_py_typed():
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "_core.pyi").exists()


def test_core_stubs_match_the_compiled_module():
    stubs = stub_names(ast.parse((PACKAGE / "_core.pyi").read_text()))
    actual = {name for name in dir(_core) if not name.startswith("_")} | {"__version__"}
    assert set(stubs) == actual
    for name, members in stubs.items():
        if members is not None:
            real = {m for m in dir(getattr(_core, name)) if not m.startswith("_")}
            assert members == real, name


def test_every_public_name_has_a_docstring():
    for name in funnelsim.__all__:
        value = getattr(funnelsim, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert inspect.getdoc(value), name
    for cls in (funnelsim.Scenario, funnelsim.Result, funnelsim.Comparison, funnelsim.Sweep, funnelsim.Sensitivity,
                funnelsim.Observed, funnelsim.Calibration):
        for member, value in inspect.getmembers(cls):
            if not member.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                assert inspect.getdoc(value), f"{cls.__name__}.{member}"
