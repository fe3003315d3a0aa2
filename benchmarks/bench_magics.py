"""Benchmarks of the magics and the comparison widget (run on demand, prints a table).

    .venv/bin/python benchmarks/bench_magics.py

Targets: %%track overhead on a trivial cell <= 5 ms (median, same cell without the
magic subtracted) and <= 2.5x an empty ``mj.start_iteration(...).end()`` measured in
the same process (the ratio holds across machines; absolute times do not); on 50
assignments + one fitted estimator <= 10 ms; %load_ext in a fresh process <= 0.5 s;
%mlops compare over 500 iterations <= 1 s for its data.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

REPEAT = 30


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "mlops_jupyter")
    ip.run_line_magic("config", "MlopsMagics.quiet = True")
    return ip


def _median_ms(ip, cell: str, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ip.run_cell(cell, store_history=True).raise_error()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def overhead(ip, body: str, setup: str = "") -> tuple[float, float]:
    if setup:
        ip.run_cell(setup).raise_error()
    ip.run_cell("%%track warmup\n" + body).raise_error()
    plain = _median_ms(ip, body)
    tracked = _median_ms(ip, "%%track bench\n" + body)
    return plain, tracked


def overhead_ratio(ip, body: str, repeat: int = REPEAT) -> tuple[float, float]:
    """Median of ``(tracked - plain) / empty`` over interleaved triples, and the median
    empty iteration (ms): an iteration started and ended with nothing logged, through
    the client ``%%track`` uses. Interleaving keeps a busy machine from skewing it."""
    from mlops_jupyter.tracking import fluent

    fluent.start_iteration("warmup").end()
    ratios, empties = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ip.run_cell(body, store_history=True).raise_error()
        t1 = time.perf_counter()
        ip.run_cell("%%track bench\n" + body, store_history=True).raise_error()
        t2 = time.perf_counter()
        fluent.start_iteration("empty").end()
        t3 = time.perf_counter()
        ratios.append(((t2 - t1) - (t1 - t0)) / (t3 - t2))
        empties.append((t3 - t2) * 1000)
    return statistics.median(ratios), statistics.median(empties)


def load_ext_seconds() -> float:
    code = ("import time; t0 = time.perf_counter()\n"
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "ip = InteractiveShell.instance(); t1 = time.perf_counter()\n"
            "ip.run_line_magic('load_ext', 'mlops_jupyter')\n"
            "print(time.perf_counter() - t1)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def compare_seconds(n: int = 500) -> tuple[float, float]:
    import mlops_jupyter as mj
    from mlops_jupyter.comparison import build

    mj.init(project="bench", experiment="compare")
    client = mj.get_client()
    for i in range(n):
        with mj.start_iteration(f"run {i}") as it:
            it.log_params({f"p{k}": (i * k) % 7 for k in range(10)} | {"scaler": f"s{i % 3}"})
            it.log_metrics({f"m{k}": (i * (k + 1)) % 13 / 13 for k in range(5)})
    mj.flush()
    t0 = time.perf_counter()
    comparison = build(client.search(project="bench", experiment="compare", limit=500))
    comparison.best([r.id for r in comparison.rows])
    comparison.differing_params([r.id for r in comparison.rows])
    data = time.perf_counter() - t0
    import comm

    class _Comm:  # no frontend here: widgets talk to nobody
        comm_id = "bench"
        kernel = None

        def __init__(self, *a, **k): ...
        def open(self, *a, **k): ...
        def on_msg(self, *a, **k): ...
        def send(self, *a, **k): ...
        def close(self, *a, **k): ...

    comm.create_comm = lambda **kwargs: _Comm()
    from mlops_jupyter.widgets.compare import CompareWidget

    CompareWidget(project="bench", experiment="compare")  # warm imports (plotly)
    t0 = time.perf_counter()
    CompareWidget(project="bench", experiment="compare")
    return data, time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mlops-bench-") as home:
        os.environ["MLOPS_JUPYTER_HOME"] = home
        _run()


def _run() -> None:
    ip = _shell()
    trivial = overhead(ip, "x = 1\n")
    ratio, empty = overhead_ratio(ip, "x = 1\n")
    assignments = "".join(f"v{i} = {i}.5\n" for i in range(50))
    fitted = overhead(ip, assignments + "model = LogisticRegression(max_iter=200)\n"
                      "model.fit(X, y)\naccuracy = model.score(X, y)\n",
                      setup="from sklearn.datasets import load_wine\n"
                            "from sklearn.linear_model import LogisticRegression\n"
                            "X, y = load_wine(return_X_y=True)\nX = X / X.max(axis=0)\n")
    load = load_ext_seconds()
    data, widget = compare_seconds()
    rows = [
        ("%%track overhead, trivial cell (median)", f"{trivial[1] - trivial[0]:.2f} ms",
         "<= 5 ms", f"plain {trivial[0]:.2f} ms, tracked {trivial[1]:.2f} ms"),
        ("%%track overhead / empty start_iteration", f"{ratio:.2f}x", "<= 2.5x",
         f"median of interleaved ratios; empty iteration {empty:.2f} ms"),
        ("%%track overhead, 50 assignments + fit", f"{fitted[1] - fitted[0]:.2f} ms",
         "<= 10 ms", f"plain {fitted[0]:.2f} ms, tracked {fitted[1]:.2f} ms"),
        ("%load_ext mlops_jupyter (fresh process)", f"{load * 1000:.0f} ms", "<= 500 ms", ""),
        ("%mlops compare data, 500 iterations", f"{data * 1000:.0f} ms", "<= 1000 ms",
         "search + best + differing"),
        ("%mlops compare widget, 500 iterations", f"{widget * 1000:.0f} ms", "-",
         "data + table + 3 plotly figures"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':>10}  {'target':>10}  notes")
    for name, value, target, notes in rows:
        print(f"{name:<{width}}  {value:>10}  {target:>10}  {notes}")


if __name__ == "__main__":
    main()
