"""Continuous training: a firing rule runs a notebook headless, parameters injected.

Like papermill, the parameters become a new cell right after the cell tagged
``parameters`` (or at the top). The notebook's ``%%track`` cells record the new
iteration; the event keeps the run's outcome (ok or the error, the duration, and
the executed copy's path).

Only a notebook that :func:`~mlops_jupyter.alerts.notebooks.resolve_notebook`
accepts at the moment the rule fires is run (inside the notebook root, not in the
artifact store); a refused one is not opened, and the refusal is the outcome.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from ..entities import AlertEvent, AlertRule
from ..errors import InvalidInput
from .notebooks import notebook_root_of, resolve_notebook

log = logging.getLogger("mlops_jupyter")

DEFAULT_TIMEOUT = 1800


def parameters_cell_source(parameters: dict[str, Any], event: AlertEvent) -> str:
    values = {**parameters, "alert_event_id": event.id, "alert_subject": event.subject}
    return "# Parameters injected by the alert rule\n" + "\n".join(
        f"{key} = {value!r}" for key, value in values.items() if key.isidentifier())


def run_rule_notebook(client: Any, rule: AlertRule, event: AlertEvent,
                      timeout: int = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Run ``rule``'s notebook for ``event`` if it may run now; the outcome either way."""
    try:
        source = resolve_notebook(rule.notebook or "", notebook_root_of(client),
                                  client.settings.artifact_root)
    except InvalidInput as e:
        log.warning("mlops_jupyter: alert rule %r: notebook not run: %s", rule.name, e)
        return {"status": "refused", "notebook": rule.notebook, "error": str(e)}
    return run_notebook(source, rule.notebook_parameters, event, timeout)


def run_notebook(source: str | Path, parameters: dict[str, Any], event: AlertEvent,
                 timeout: int = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Execute the notebook at ``source`` unchecked: the caller chose it (a rule's
    notebook goes through :func:`run_rule_notebook`, which checks it first)."""
    import nbformat
    from nbclient import NotebookClient

    path = str(source)
    source = Path(source)
    started = time.time()
    try:
        nb = nbformat.read(source, as_version=4)
    except (OSError, ValueError) as e:
        return {"status": "error", "error": f"cannot read notebook {path}: {e}"}
    cell = nbformat.v4.new_code_cell(parameters_cell_source(parameters, event))
    cell.metadata["tags"] = ["injected-parameters"]
    index = next((i + 1 for i, c in enumerate(nb.cells)
                  if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells.insert(index, cell)
    output = source.with_name(f"{source.stem}.alert-{event.id}.ipynb")
    outcome: dict[str, Any] = {"notebook": str(source), "executed": str(output)}
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(source.parent)}}).execute()
        outcome["status"] = "ok"
    except Exception as e:  # the notebook's own failure is the outcome, not a crash
        outcome.update(status="error", error=f"{type(e).__name__}: {str(e)[-500:]}")
    finally:
        outcome["seconds"] = round(time.time() - started, 2)
        try:
            nbformat.write(nb, output)
        except OSError:
            outcome.pop("executed", None)
    return outcome
