"""What one execution of a cell actually did: the cell's tree, instrumented.

The static analysis (:mod:`.analysis`) says which names a cell *can* bind; a value
left in the namespace by an earlier cell is indistinguishable from one this cell
computed (same name, maybe even the same object: small ints and interned strings
are shared). So the cell's tree is rewritten: after every module-level statement
that binds, fits or reads something, a call adds its *keys* (bound names, fitted
receivers, ``(function, receiver, path)`` reads, the spelling of
:class:`.analysis.CellAnalysis`) to a per-execution set held in the namespace
under :data:`RECORDER`. A statement that raises records nothing, so a failed cell
keeps exactly what completed before the exception.

Headers of compound statements (a ``for`` target, a ``with ... as`` name, a
walrus in an ``if``/``while`` test) are recorded at the start of the blocks they
lead to. Function and class bodies are not entered (their names are not the
cell's); the ``def``/``class`` name itself is recorded.

The inserted statements carry the location of the statement they follow, so
tracebacks and line numbers of the user's code are unchanged.
"""

from __future__ import annotations

import ast
from typing import Any

from .analysis import _Visitor

# A dunder name nobody types; set only while the cell runs (see magics.track).
RECORDER = "__mlops_track_executed__"


def _stored_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def statement_keys(stmt: ast.stmt) -> set[Any]:
    """The keys a *simple* statement contributes once it has completed."""
    if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            and all(isinstance(t, ast.Name) for t in stmt.targets)):
        return {t.id for t in stmt.targets}  # ``C = 1.0``: the common case, fast
    visitor = _Visitor()
    visitor.statement(stmt)
    got = visitor.result()
    keys: set[Any] = {*got.literals, *got.computed, *got.fitted, *got.reads}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        keys.update((a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*")
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        for target in getattr(stmt, "targets", None) or [stmt.target]:
            if isinstance(target, (ast.Name, ast.Tuple, ast.List, ast.Starred)):
                keys.update(_stored_names(target))
    return keys


def expression_keys(node: ast.AST | None) -> set[Any]:
    """Keys of an expression evaluated in a compound statement's header."""
    if node is None:
        return set()
    return statement_keys(ast.Expr(value=node))


def _record(keys: set[Any], anchor: ast.AST) -> ast.stmt:
    # RECORDER.update(<tuple constant>): keys are str or tuples of str/None, which a
    # code object holds as constants; sorted for stable code
    line = getattr(anchor, "end_lineno", None) or getattr(anchor, "lineno", 1)
    at = {"lineno": line, "end_lineno": line, "col_offset": 0, "end_col_offset": 0}
    keys_const = ast.Constant(value=tuple(sorted(keys, key=repr)), **at)
    method = ast.Attribute(value=ast.Name(id=RECORDER, ctx=ast.Load(), **at),
                           attr="update", ctx=ast.Load(), **at)
    return ast.Expr(value=ast.Call(func=method, args=[keys_const], keywords=[], **at), **at)


def _block(stmts: list[ast.stmt], head: set[Any], anchor: ast.AST) -> list[ast.stmt]:
    out = [_record(head, anchor)] if head else []
    for stmt in stmts:
        out.extend(_statement(stmt))
    return out


def _statement(stmt: ast.stmt) -> list[ast.stmt]:
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        head = expression_keys(stmt.iter)
        stmt.body = _block(stmt.body, head | _stored_names(stmt.target), stmt)
        stmt.orelse = _block(stmt.orelse, head, stmt)
    elif isinstance(stmt, (ast.While, ast.If)):
        head = expression_keys(stmt.test)
        stmt.body = _block(stmt.body, head, stmt)
        stmt.orelse = _block(stmt.orelse, head, stmt)
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        head: set[Any] = set()
        for item in stmt.items:
            head |= expression_keys(item.context_expr)
            if item.optional_vars is not None:
                head |= _stored_names(item.optional_vars)
        stmt.body = _block(stmt.body, head, stmt)
    elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        stmt.body = _block(stmt.body, set(), stmt)
        for handler in stmt.handlers:
            handler.body = _block(handler.body, {handler.name} if handler.name else set(),
                                  handler)
        stmt.orelse = _block(stmt.orelse, set(), stmt)
        stmt.finalbody = _block(stmt.finalbody, set(), stmt)
    elif type(stmt).__name__ == "Match":
        head = expression_keys(stmt.subject)  # type: ignore[attr-defined]
        for case in stmt.cases:  # type: ignore[attr-defined]
            captured = {getattr(n, "name", None) for n in ast.walk(case.pattern)}
            case.body = _block(case.body, head | (captured - {None}), case)
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt, _record({stmt.name}, stmt)]
    elif isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
        return [stmt]  # binds no user name, and nothing may come between future imports
    else:
        keys = statement_keys(stmt)
        return [stmt, _record(keys, stmt)] if keys else [stmt]
    return [stmt]


def instrument(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` (module-level statements, modified in place) with recording calls."""
    out: list[ast.stmt] = []
    for stmt in body:
        out.extend(_statement(stmt))
    return out
