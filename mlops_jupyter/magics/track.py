"""Running a ``%%track`` cell: the body runs as it would without the magic.

The body is compiled with the shell's own compiler and run in the user's
namespace; a trailing expression goes through the display hook exactly like a
normal cell's (so ``Out``, ``_`` and a trailing ``;`` behave as usual). Errors of
the body propagate unchanged. Recording happens around it and never raises:
when the store fails, a :class:`TrackingWarning` says what was not recorded.

Only what *this execution* bound counts: the compiled body records, statement by
statement, what it bound, fitted and read (:mod:`mlops_jupyter.capture.bindings`),
so a value an earlier cell left under the same name is never taken for this
cell's, and a cell that raises keeps exactly what completed before the error.
"""

from __future__ import annotations

import ast
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from ..capture import CellAnalysis, analyze, capture, missing_note
from ..capture.bindings import RECORDER, instrument, statement_keys
from ._state import notebook_path
from .errors import warn
from .summary import Summary

_ABSENT = object()


@dataclass
class TrackOptions:
    name: str | None = None
    project: str | None = None
    experiment: str | None = None
    params: list[str] | None = None
    metrics: list[str] | None = None
    model: str | None = None
    datasets: list[tuple[str, str]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    auto: bool = True
    only: bool = False  # params/metrics: exactly --params/--metrics, nothing automatic
    all_params: bool = False  # estimator hyper-parameters equal to the defaults too
    quiet: bool = False
    register: str | None = None  # model name: log the cell's model as its next version


@dataclass
class CompiledCell:
    analysis: CellAnalysis
    body: CodeType
    last: CodeType | None
    last_keys: set[Any] = field(default_factory=set)  # what ``last`` does once it ran


def execution_count(shell: Any) -> int | None:
    """The running cell's number (``shell.execution_count`` already points to the next)."""
    result = getattr(shell.displayhook, "exec_result", None)
    count = getattr(result, "execution_count", None)
    return count if count is not None else shell.execution_count


def compile_cell(shell: Any, cell: str) -> CompiledCell:
    """Transform (IPython syntax), parse, analyze and compile the cell body."""
    transformed = shell.transform_cell(cell)
    filename = shell.compile.cache(transformed, execution_count(shell), raw_code=cell)
    tree = shell.compile.ast_parse(transformed, filename=filename)
    analysis = analyze(tree)
    tree = shell.transform_ast(tree)
    body = list(tree.body)
    last, last_keys = None, set()
    if body and isinstance(body[-1], ast.Expr) and not _silenced(transformed):
        # "single" mode sends the value to the display hook: Out[n], _ and the output;
        # its keys are added by run_tracked once it ran (no recording call inside it)
        expr = body.pop()
        last_keys = statement_keys(expr)
        last = shell.compile(ast.Interactive([expr]), filename, "single")
    code = shell.compile(ast.Module(instrument(body), type_ignores=[]), filename, "exec")
    return CompiledCell(analysis, code, last, last_keys)


def _silenced(code: str) -> bool:
    """A trailing ``;`` hides the value (the shell checks the outer cell, not the body)."""
    from IPython.core.displayhook import DisplayHook

    try:
        return DisplayHook.semicolon_at_end_of_expression(code)
    except Exception:  # tokenize errors: the compiler will report them
        return False


def run_tracked(shell: Any, cell: str, opts: TrackOptions) -> None:
    """Run ``cell`` as an iteration. Returns None: the value went to the display hook."""
    __tracebackhide__ = True
    compiled = compile_cell(shell, cell)  # a SyntaxError is raised before recording
    if opts.register is not None:
        check_register(compiled.analysis, opts)
    started = time.perf_counter()
    iteration = _start(shell, cell, opts)
    status, error = "finished", None
    ns = shell.user_ns
    executed: set[Any] = set()
    outer = ns.get(RECORDER, _ABSENT)  # a %%track run from inside a %%track cell
    ns[RECORDER] = executed
    try:
        exec(compiled.body, shell.user_global_ns, ns)
        if compiled.last is not None:
            exec(compiled.last, shell.user_global_ns, ns)
            executed.update(compiled.last_keys)
    except KeyboardInterrupt:
        status, error = "killed", "KeyboardInterrupt"
        raise
    except BaseException as e:
        status, error = "failed", "".join(traceback.format_exception(type(e), e,
                                                                     e.__traceback__))
        raise
    finally:
        if outer is _ABSENT:
            ns.pop(RECORDER, None)
        else:
            ns[RECORDER] = outer
        _finish(shell, compiled.analysis, opts, iteration, status, error,
                time.perf_counter() - started, executed)


def _start(shell: Any, cell: str, opts: TrackOptions) -> Any:
    from ..entities import Source
    from ..tracking import fluent
    from ..tracking.client import cell_hash

    source = Source(code=cell, cell_hash=cell_hash(cell),
                    execution_count=execution_count(shell),
                    notebook_path=notebook_path(shell.user_ns))
    try:
        return fluent.start_iteration(opts.name, project=opts.project,
                                      experiment=opts.experiment, tags=opts.tags or None,
                                      source=source)
    except Exception as e:
        warn(f"iteration {opts.name or ''!s} not recorded: {e}".replace("  ", " "))
        return None


def _finish(shell: Any, analysis: CellAnalysis, opts: TrackOptions, iteration: Any,
            status: str, error: str | None, seconds: float, executed: set[Any]) -> None:
    try:
        got = capture(analysis, shell.user_ns, auto=opts.auto, params=opts.params,
                      metrics=opts.metrics, model=opts.model, datasets=opts.datasets,
                      executed=executed, only=opts.only, all_params=opts.all_params)
    except Exception as e:  # a rule tripping on an odd object must not hide the result
        warn(f"capture failed, nothing automatic recorded: {e!r}")
        from ..capture import Capture

        got = Capture()
    lost: list[str] = []
    register = None
    if opts.register is not None and status == "finished":
        register = _model_to_register(analysis.executed(executed), shell.user_ns, opts)
        if iteration is None:
            lost.append(f"model {opts.register} (no iteration to link it to)")
    for note in got.notes:
        if register is not None and register.problem and note == missing_note("model", opts.model):
            continue  # the registration warning below says it, once
        warn(note)
    registered = None
    if iteration is not None:
        registered = _record(iteration, got, status, error, lost, register)
        stored = iteration.duration
        if stored is not None:  # the number the runs table and the panel show
            seconds = stored
    if lost:
        warn("not recorded: " + "; ".join(lost))
    if not opts.quiet:
        from IPython.display import display

        display(Summary.build(iteration, got, status, seconds, recorded=not lost,
                              registered=registered))


def check_register(analysis: CellAnalysis, opts: TrackOptions) -> None:
    """Refuse ``--register`` before the cell runs when it cannot name a model."""
    from IPython.core.error import UsageError

    from ..errors import MlopsError
    from ..store.sql_registry import check_model_name

    try:
        opts.register = check_model_name(opts.register)
    except MlopsError as e:
        raise UsageError(f"--register: {e}") from None
    if opts.model is not None:
        return
    if not opts.auto:
        raise UsageError(f"--register {opts.register}: which model? (capture is off: name "
                         "the variable with --model VAR)")
    if not analysis.fitted:
        raise UsageError(f"--register {opts.register}: the cell fits no estimator to "
                         "register (name the variable holding the model with --model VAR)")


@dataclass
class _Register:
    name: str
    model: Any = None
    problem: str | None = None  # why there is nothing to register


def _model_to_register(analysis: CellAnalysis, ns: dict, opts: TrackOptions) -> _Register:
    """The object ``--register`` logs: ``--model VAR``, else the single fitted estimator."""
    from ..capture.values import is_estimator

    name = opts.register or ""
    if opts.model is not None:
        if opts.model not in ns:
            return _Register(name, problem=f"--model {opts.model} is not defined")
        return _Register(name, ns[opts.model])
    fitted = {id(v): v for v in (ns.get(n) for n in analysis.fitted) if is_estimator(v)}
    if len(fitted) == 1:
        return _Register(name, next(iter(fitted.values())))
    if not fitted:
        return _Register(name, problem="the cell fitted no estimator")
    return _Register(name, problem="the cell fits several estimators: name one with --model")


def _record(it: Any, got: Any, status: str, error: str | None, lost: list[str],
            register: _Register | None = None) -> str | None:
    """Write what the cell captured, adding to ``lost`` what could not be written, and why.

    Returns ``"NAME vN"`` when ``register`` logged a model version.
    """
    registered = None
    if got.params:
        try:
            it.log_params(got.params)
        except Exception:
            for key, value in got.params.items():
                try:
                    it.log_params({key: value})
                except Exception as e:
                    lost.append(f"param {key} ({e})")
    try:
        if got.metrics:
            it.log_metrics(got.metrics)
        for key, values in got.series.items():
            for step, value in enumerate(values):
                it.log_metric(key, value, step=step)
    except Exception as e:
        lost.append(f"metrics ({e})")
    if got.model_name:
        _attempt(lost, f"model name {got.model_name}", it.set_model_name, got.model_name)
    for role, uri in got.datasets:
        _attempt(lost, f"dataset {role}={uri}", it.log_dataset, uri, role)
    if register is not None:  # after params, metrics and datasets: they are its lineage
        if register.problem is not None:
            lost.append(f"model {register.name} ({register.problem})")
        else:
            try:
                version = it.log_model(register.model, register.name)
                registered = f"{version.model_name} v{version.version}"
            except Exception as e:
                lost.append(f"model {register.name} ({e})")
    _attempt(lost, f"end of iteration #{it.number} ({status})", it.end, status, error)
    return registered


def _attempt(lost: list[str], what: str, func: Any, *args: Any) -> None:
    try:
        func(*args)
    except Exception as e:
        lost.append(f"{what} ({e})")


def split_names(values: Sequence[str] | None) -> list[str] | None:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``; None stays None (no override)."""
    if values is None:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]
