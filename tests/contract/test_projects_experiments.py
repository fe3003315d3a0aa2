"""Contract: projects and experiments (every backend)."""

from __future__ import annotations

import pytest

from mlops_jupyter import AlreadyExists, InvalidInput, NotFound


def test_project_is_created_once_and_listed_with_counts(client):
    # Given a project with two experiments and one iteration
    client.experiment("wine", "scaling")
    client.experiment("wine", "features")
    client.start_iteration("wine", "scaling", "a").end()
    # When listing projects
    summaries = {s.project.name: s for s in client.projects()}
    # Then the counts are right and a second create is refused
    assert summaries["wine"].experiment_count == 2
    assert summaries["wine"].iteration_count == 1
    with pytest.raises(AlreadyExists):
        client.create_project("wine")


def test_unicode_names_are_accepted(client):
    exp = client.experiment("vin rouge é 🍷", "mise à l'échelle")
    assert exp.project_name == "vin rouge é 🍷"
    assert client.get_experiment("vin rouge é 🍷", "mise à l'échelle").id == exp.id


@pytest.mark.parametrize("bad", ["", "   ", "x" * 256, "a\x00b"])
def test_bad_project_names_are_refused(client, bad):
    with pytest.raises(InvalidInput):
        client.create_project(bad)


def test_unknown_project_suggests_the_closest_name(client):
    client.experiment("wine", "scaling")
    with pytest.raises(NotFound) as err:
        client.get_project("wne")
    assert "wine" in str(err.value)


def test_experiment_names_are_unique_per_project(client):
    client.experiment("a", "same")
    client.experiment("b", "same")  # another project: fine
    with pytest.raises(AlreadyExists):
        client.create_experiment("a", "same")
    names = sorted((e.experiment.project_name, e.experiment.name) for e in client.experiments())
    assert names == [("a", "same"), ("b", "same")]
