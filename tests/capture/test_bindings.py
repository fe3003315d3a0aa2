"""The instrumented cell records what one execution bound, fitted and read."""

from __future__ import annotations

import ast

import pytest

from mlops_jupyter.capture.bindings import RECORDER, instrument


def run(code: str, **ns) -> tuple[set, dict]:
    tree = ast.parse(code)
    module = ast.Module(instrument(tree.body), type_ignores=[])
    done: set = set()
    ns[RECORDER] = done
    try:
        exec(compile(module, "<cell>", "exec"), ns)
    finally:
        ns.pop(RECORDER)
    return done, ns


def test_assignments_imports_defs_and_fits_are_recorded_after_they_complete():
    done, _ = run("import os.path\nfrom math import pi as PI\na, (b, *c) = 1, (2, 3, 4)\n"
                  "d: int = 5\nd += 1\ndef f():\n    inner = 1\nclass K:\n    attr = 2\n"
                  "class M:\n    def fit(self):\n        return self\nm = M()\nm.fit()\n"
                  "k = {}\nk['x'] = 1\n")
    assert done == {"os", "PI", "a", "b", "c", "d", "f", "K", "M", "m", "k"}


def test_future_imports_stay_together():
    done, _ = run("from __future__ import annotations\nfrom __future__ import division\n"
                  "x = 1\n")
    assert done == {"x"}


def test_headers_of_loops_with_blocks_and_walrus_are_recorded_when_they_run():
    done, _ = run("import contextlib\nfor i in range(2):\n    pass\n"
                  "for j in []:\n    pass\nelse:\n    e = 1\n"
                  "with contextlib.nullcontext(3) as w:\n    pass\n"
                  "if (n := 4) > 10:\n    big = 1\nwhile (m := 0):\n    pass\n"
                  "try:\n    raise ValueError\nexcept ValueError as err:\n    handled = 1\n")
    assert {"i", "e", "w", "n", "m", "handled"} <= done
    assert not {"j", "big"} & done


def test_a_statement_that_raises_records_nothing_and_later_ones_do_not_run():
    tree = ast.parse("a = 1\nb = 1 / 0\nc = 3\n")
    module = ast.Module(instrument(tree.body), type_ignores=[])
    done = set()
    with pytest.raises(ZeroDivisionError) as info:
        exec(compile(module, "<cell>", "exec"), {RECORDER: done})
    assert done == {"a"}
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_lineno == 2  # the user's line, not an inserted one


def test_reads_are_recorded_as_the_analysis_spells_them():
    class Pd:
        @staticmethod
        def read_csv(path):
            return path

    done, _ = run("df = pd.read_csv('data/train.csv')\n", pd=Pd)
    assert ("read_csv", "pd", "data/train.csv") in done and "df" in done
