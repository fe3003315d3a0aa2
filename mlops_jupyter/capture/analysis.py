"""Static analysis of a cell's code: what it binds, fits and reads.

Pure standard library: the magics parse the cell once and hand the tree here.
Only module-level bindings count (statements at the top of the cell and inside
top-level ``if``/``for``/``while``/``with``/``try`` blocks); function and class
bodies, lambdas and comprehensions have their own scopes and are skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

FIT_METHODS = frozenset({"fit", "partial_fit", "fit_transform", "fit_predict", "fit_resample"})
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
    "setdefault", "popitem", "sort", "reverse",
})
PATH_KEYWORDS = ("filepath_or_buffer", "path", "path_or_buf", "io", "path_or_buffer")
_NOT_LITERAL = object()


@dataclass
class CellAnalysis:
    """What the cell does at module level, in source order.

    ``literals``: names bound only to literals, with the (last) literal value.
    ``computed``: names bound at least once to something else, or mutated.
    ``fitted``: names whose ``.fit``-like method the cell calls.
    ``reads``: ``(function name, receiver name or None, path)`` of calls such as
    ``pd.read_csv("data/wine.csv")`` with a literal path.
    """

    literals: dict[str, Any] = field(default_factory=dict)
    computed: list[str] = field(default_factory=list)
    fitted: list[str] = field(default_factory=list)
    reads: list[tuple[str, str | None, str]] = field(default_factory=list)

    @property
    def bound(self) -> list[str]:
        return [*self.literals, *self.computed]

    def executed(self, done: Collection[Any]) -> CellAnalysis:
        """Only what one execution did: ``done`` holds the keys its completed
        statements recorded (see :mod:`.bindings`). The literal/computed split stays
        the static one: ``best = 0`` then ``if x: best = f(x)`` is computed either way.
        """
        return CellAnalysis(
            literals={k: v for k, v in self.literals.items() if k in done},
            computed=[n for n in self.computed if n in done],
            fitted=[n for n in self.fitted if n in done],
            reads=[r for r in self.reads if r in done])


def literal_value(node: ast.AST) -> Any:
    """The value of a literal parameter node, or ``_NOT_LITERAL``.

    Literals are numbers, strings, bools, None, and tuples/lists of literals
    (``-1`` and ``1e-3`` included); dicts, sets and bytes are not.
    """
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL
    return value if _is_literal(value) else _NOT_LITERAL


def _is_literal(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_is_literal(v) for v in value)
    return False  # complex, bytes, dict, set


class _Visitor:
    def __init__(self) -> None:
        self.out = CellAnalysis()
        self._computed: dict[str, None] = {}
        self._fitted: dict[str, None] = {}

    # -- bindings ---------------------------------------------------------------------
    def bind(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            lit = _NOT_LITERAL if value is None else literal_value(value)
            name = target.id
            if lit is _NOT_LITERAL or name in self._computed:
                self.mark_computed(name)
            else:
                self.out.literals[name] = lit
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(
                value.elts) == len(target.elts) else [None] * len(target.elts)
            for t, v in zip(target.elts, values, strict=True):
                self.bind(t, v)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, None)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            root = _root_name(target)
            if root is not None and root in self.out.literals:
                self.mark_computed(root)

    def mark_computed(self, name: str) -> None:
        self.out.literals.pop(name, None)
        self._computed[name] = None

    # -- statements ---------------------------------------------------------------------
    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            self.expressions(stmt.value)
            for target in stmt.targets:
                self.bind(target, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.expressions(stmt.value)
                self.bind(stmt.target, stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self.expressions(stmt.value)
            self.bind(stmt.target, None)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.expressions(stmt.iter)
            self.statements(stmt.body)
            self.statements(stmt.orelse)
        elif isinstance(stmt, (ast.While, ast.If)):
            self.expressions(stmt.test)
            self.statements(stmt.body)
            self.statements(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.expressions(item.context_expr)
            self.statements(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.statements(stmt.body)
            for handler in stmt.handlers:
                self.statements(handler.body)
            self.statements(stmt.orelse)
            self.statements(stmt.finalbody)
        elif isinstance(stmt, (ast.Expr, ast.Return)) and stmt.value is not None:
            self.expressions(stmt.value)
        # imports, defs, classes, del, global ...: no captured bindings

    # -- expressions: calls that fit, mutate or read ------------------------------------
    def expressions(self, node: ast.AST) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                              ast.GeneratorExp)):
                continue
            if isinstance(n, ast.NamedExpr):
                self.bind(n.target, None)
            if isinstance(n, ast.Call):
                self.call(n)
            stack.extend(ast.iter_child_nodes(n))

    def call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if func.attr in FIT_METHODS and isinstance(receiver, ast.Name):
                self._fitted[receiver.id] = None
            elif func.attr in MUTATING_METHODS:
                root = _root_name(receiver)
                if root is not None and root in self.out.literals:
                    self.mark_computed(root)
            if func.attr.startswith("read_"):
                path = _path_argument(call)
                if path is not None:
                    owner = receiver.id if isinstance(receiver, ast.Name) else None
                    self.out.reads.append((func.attr, owner, path))
        elif isinstance(func, ast.Name) and func.id.startswith("read_"):
            path = _path_argument(call)
            if path is not None:
                self.out.reads.append((func.id, None, path))

    def result(self) -> CellAnalysis:
        self.out.computed = list(self._computed)
        self.out.fitted = list(self._fitted)
        return self.out


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _path_argument(call: ast.Call) -> str | None:
    node: ast.AST | None = call.args[0] if call.args else None
    if node is None:
        for kw in call.keywords:
            if kw.arg in PATH_KEYWORDS:
                node = kw.value
                break
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def analyze(tree: ast.Module | str) -> CellAnalysis:
    """Analyze a parsed cell (or its source text)."""
    if isinstance(tree, str):
        tree = ast.parse(tree)
    visitor = _Visitor()
    visitor.statements(tree.body)
    return visitor.result()
