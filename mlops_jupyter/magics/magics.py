"""The magics class: argument parsing and settings; the work is delegated."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Bool, Int, Unicode, observe

from .errors import parse, usage_errors, warn
from .track import TrackOptions, run_tracked, split_names


def _pairs(values: list[list[str]] | None, what: str, example: str) -> list[tuple[str, str]]:
    out = []
    for value in (v for group in values or () for v in group):
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise UsageError(f"{what} {value!r} is not KEY=VALUE (e.g. {example})")
        out.append((key.strip(), rest.strip()))
    return out


@magics_class
class MlopsMagics(Magics):
    """``%%track`` and ``%mlops``; settings are traitlets (``%config MlopsMagics``)."""

    tracking_uri = Unicode(
        None, allow_none=True,
        help="Where iterations go (database URL or http(s):// server); empty: "
             "MLOPS_JUPYTER_TRACKING_URI, the config file, or the default database.",
    ).tag(config=True)
    quiet = Bool(False, help="Do not show the summary under tracked cells.").tag(config=True)
    auto_capture = Bool(
        True, help="Apply the capture rules in %%track cells (off: like --no-capture)."
    ).tag(config=True)
    compare_limit = Int(
        500, help="Most recent iterations fetched by %mlops compare.").tag(config=True)
    curves_limit = Int(
        10, help="Most selected iterations whose learning curves %mlops compare draws."
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any):
        super().__init__(shell=shell, **kwargs)
        if self.tracking_uri:
            self._apply_tracking_uri(self.tracking_uri)

    @observe("tracking_uri")
    def _tracking_uri_changed(self, change: dict) -> None:
        self._apply_tracking_uri(change["new"])

    @staticmethod
    def _apply_tracking_uri(uri: str | None) -> None:
        from ..tracking.fluent import set_tracking_uri

        set_tracking_uri(uri)

    def __repr__(self) -> str:
        return f"<MlopsMagics tracking_uri={self.tracking_uri!r}>"

    @magic_arguments()
    @argument("name", nargs="?", default=None,
              help="Iteration name (default: 'iteration <number>').")
    @argument("--project", "-p", default=None, help="Project (default: %%mlops project).")
    @argument("--experiment", "-e", default=None,
              help="Experiment (default: %%mlops experiment).")
    @argument("--params", action="append", default=None, metavar="a,b",
              help="Also record these variables as params (any value: non-literals as "
                   "text); the cell must set them.")
    @argument("--metrics", action="append", default=None, metavar="x,y",
              help="Also record these variables as metrics; a list/1-D array of "
                   "numbers becomes a step series (a learning curve). The cell must "
                   "set them.")
    @argument("--only", action="store_true",
              help="Params and metrics are exactly --params/--metrics: none automatic "
                   "(model name and datasets still are).")
    @argument("--all-params", action="store_true",
              help="Record every estimator hyper-parameter, not only those that differ "
                   "from the estimator's defaults.")
    @argument("--model", default=None, metavar="VAR",
              help="Variable holding the model: names the iteration's model.")
    @argument("--register", default=None, metavar="NAME",
              help="After the cell succeeds, log the model (--model VAR, or the single "
                   "estimator the cell fits) as the next version of registered model NAME, "
                   "linked to this iteration.")
    @argument("--dataset", "-d", action="append", nargs="+", default=None,
              metavar="ROLE=URI",
              help="Dataset used, e.g. train=data/wine.csv (role: train, validation, test, "
                   "reference, other). Repeatable.")
    @argument("--tag", "-t", action="append", nargs="+", default=None, metavar="K=V",
              help="Tag the iteration, e.g. --tag owner=ana. Repeatable.")
    @argument("--no-capture", action="store_true",
              help="Record only what the options and mj.log_* calls name.")
    @argument("--quiet", "-q", action="store_true", help="No summary under the cell.")
    @cell_magic
    def track(self, line: str, cell: str) -> None:
        """Run the cell and record it as an iteration of the current experiment.

        The cell runs exactly as without the magic (same output, same Out[],
        same variables; an exception is re-raised after the iteration is marked
        failed with its traceback). ``mj.log_metric(...)`` calls inside the cell
        land in this iteration. If the store fails, the cell's result stands and
        a warning says what was not recorded.

        Capture rules (off with --no-capture; --params/--metrics add names,
        --only restricts params and metrics to them). Only what this run of the
        cell bound counts: a value left under the same name by another cell is
        never recorded, and a cell that raises keeps what it bound before the
        error. A name given in --params/--metrics that the cell did not set gets
        a warning naming it, and nothing is recorded for it.

        * params: names the cell binds only to literals (numbers, text, bools,
          None, tuples/lists of them), and the hyper-parameters
          (``get_params(deep=False)``, pipeline steps expanded) of estimators the
          cell constructs or fits that differ from the estimator's defaults
          (all of them with --all-params), as ``<variable>.<param>``;
        * metrics: names the cell binds to a computed real number (int, float,
          NumPy scalar; not bool); a list/1-D array of numbers named in
          --metrics becomes a step series;
        * model name: the class of --model, or of the single estimator the cell
          fits, pipeline steps spelled out: ``Pipeline(MinMaxScaler, LogisticRegression)``;
        * datasets: --dataset, plus literal paths given to ``pandas.read_*``;
        * source: the cell's code and hash, execution count, notebook path,
          duration, environment and git state.

        Names starting with ``_`` are never captured.

        Registering (--register NAME): when the cell finishes without an error,
        the model (--model VAR, otherwise the single estimator the cell fits) is
        stored as the next version of NAME in the model registry, linked to this
        iteration (its params, metrics and datasets are the version's lineage);
        the summary says ``registered NAME vN``. A cell that fits nothing and has
        no --model is refused before it runs; if storing the model fails, the
        cell's result stands and a warning says so.

        Examples
        --------
        ::

            %%track MinMaxScaler --dataset train=data/wine.csv
            scaler = "minmax"                  # param
            C = 1.0                            # param
            model = make_pipeline(MinMaxScaler(), LogisticRegression(C=C))
            model.fit(X_train, y_train)        # model name + model.* params
            accuracy = model.score(X_test, y_test)   # metric

            %%track StandardScaler --model model --register wine-classifier
            model = make_pipeline(StandardScaler(), LogisticRegression())
            model.fit(X_train, y_train)
            accuracy = model.score(X_test, y_test)

            %%track sgd --metrics losses --quiet   # losses as a series, + accuracy
            losses = []
            for epoch in range(20):
                clf.partial_fit(X_train, y_train, classes=classes)
                losses.append(log_loss(y_test, clf.predict_proba(X_test)))
            accuracy = clf.score(X_test, y_test)
        """
        __tracebackhide__ = True
        args = parse(self.track, line)
        opts = TrackOptions(
            name=args.name, project=args.project, experiment=args.experiment,
            params=split_names(args.params), metrics=split_names(args.metrics),
            model=args.model,
            datasets=_pairs(args.dataset, "--dataset", "train=data/wine.csv"),
            tags=dict(_pairs(args.tag, "--tag", "owner=ana")),
            auto=self.auto_capture and not args.no_capture,
            only=args.only, all_params=args.all_params,
            quiet=self.quiet or args.quiet,
            register=args.register,
        )
        if opts.only and not (opts.params or opts.metrics):
            raise UsageError("--only records only --params/--metrics: name some "
                             "(e.g. --only --metrics accuracy)")
        if cell is None or not cell.strip():
            warn("empty %%track cell: nothing to run")
        return run_tracked(self.shell, cell, opts)

    @line_magic
    def mlops(self, line: str) -> Any:
        """Manage tracking from the notebook: ``%mlops <subcommand> [--help]``.

        Subcommands: project, experiment, runs, compare, config, models, promote,
        monitor.

        Examples
        --------
        ::

            %mlops project wine
            %mlops experiment "scaling methods"
            df = %mlops runs --sort -metrics.accuracy
            %mlops compare --metric accuracy
            df = %mlops models
            %mlops promote wine-classifier
            %mlops promote wine-classifier --version 3 --yes
            %mlops monitor wine-classifier --window 1h --since 24h
            %mlops config tracking_uri sqlite:////shared/mlops.db
        """
        from .commands import dispatch

        with usage_errors():
            return dispatch(self, line)
