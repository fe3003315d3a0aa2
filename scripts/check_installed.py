"""Checks of an installed mlops-jupyter, run by scripts/check-sdist.sh in a virtualenv
that holds nothing but ``pip install mlops-jupyter`` (no extras, no test tools).

Each check runs what a plain install promises: every module imports; the side panel
and the server extension are where Jupyter looks for them; ``python -m mlops_jupyter``;
performance metrics of a monitored model (scikit-learn); a retraining notebook run by
an alert rule (nbformat, nbclient and a python3 kernel). Run it with ``python -I``
from outside the checkout, so that the installed package is the one imported.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path


def modules_import() -> str:
    import mlops_jupyter

    where = Path(mlops_jupyter.__file__).resolve()
    assert where.is_relative_to(Path(sys.prefix).resolve()), f"not the installed copy: {where}"
    names = [m.name for m in pkgutil.walk_packages(mlops_jupyter.__path__, "mlops_jupyter.")
             if not m.name.endswith(".migrations.env")]  # Alembic's script: runs inside it
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules import"


def side_panel_and_server_extension() -> str:
    ext = Path(sys.prefix, "share", "jupyter", "labextensions", "mlops-jupyter")
    meta = json.loads((ext / "package.json").read_text())
    entry = ext / meta["jupyterlab"]["_build"]["load"]
    assert entry.is_file(), f"the side panel's entry point is missing: {entry}"
    listed = subprocess.run([Path(sys.executable).with_name("jupyter"), "server", "extension",
                             "list"], capture_output=True, text=True, check=True)
    text = listed.stdout + listed.stderr
    assert "mlops_jupyter" in text and "OK" in text.split("mlops_jupyter", 1)[1], text
    return f"side panel at {ext.relative_to(sys.prefix)}; server extension enabled and loads"


def python_dash_m() -> str:
    out = subprocess.run([sys.executable, "-m", "mlops_jupyter", "--version"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("mlops-jupyter "), out
    return f"python -m mlops_jupyter --version: {out}"


def performance(tmp: Path) -> str:
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression

    import mlops_jupyter as mj

    X, y = load_wine(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    client = mj.Client(f"sqlite:///{tmp / 'mlops.db'}", artifact_root=str(tmp / "artifacts"))
    try:
        with client.start_iteration("wine", "installed", "fit") as it:
            mv = it.log_model(model, "wine")
        client.promote("wine", mv.version)
        ids = client.log_predictions(X, model.predict(X), model="wine",
                                     confidences=model.predict_proba(X).max(axis=1))
        client.log_labels(ids, y.tolist())
        perf = client.performance("wine", window="1d")
    finally:
        client.close()
    assert perf["n"].sum() == len(X) and perf["accuracy"].iloc[0] > 0.9, perf
    return f"performance(): accuracy {perf['accuracy'].iloc[0]:.3f} over {len(X)} labels"


def retraining_notebook(tmp: Path) -> str:
    import nbformat

    from mlops_jupyter.alerts.retrain import run_notebook
    from mlops_jupyter.entities import AlertEvent

    params = nbformat.v4.new_code_cell("threshold = 0.5")
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(
        "assert threshold == 0.8, threshold")])
    path = tmp / "retrain.ipynb"
    nbformat.write(nb, path)
    event = AlertEvent(1, 1, "retrain", "firing", "installed check",
                       datetime.now(timezone.utc), {}, "pending", 0, None, None, None, None)
    outcome = run_notebook(str(path), {"threshold": 0.8}, event, timeout=120)
    assert outcome["status"] == "ok", outcome
    return f"retraining notebook ran in {outcome['seconds']} s"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mlops-installed-") as name:
        tmp = Path(name)
        for check in (modules_import, side_panel_and_server_extension, python_dash_m):
            print(f"ok: {check()}")
        for check in (performance, retraining_notebook):
            print(f"ok: {check(tmp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
