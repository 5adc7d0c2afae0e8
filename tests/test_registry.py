"""The one registry type: formats and ranking parts are registered by name, once."""

from __future__ import annotations

import pytest

from realist.errors import InvalidInput
from realist.identify.formats import FORMATS, available_formats, read_text, register
from realist.records import RecordData
from realist.registry import DuplicateName, Registry
from realist.screen.ranking import CLASSIFIERS, MODELS


def test_registry_refuses_a_second_item_under_the_same_name():
    colours: Registry[str] = Registry("colour")
    colours.register("ink", "#222")
    with pytest.raises(DuplicateName, match="colour 'ink' is already registered"):
        colours.register("ink", "#000")
    assert colours.get("ink") == "#222"


def test_registry_replaces_only_when_asked():
    colours: Registry[str] = Registry("colour")
    colours.register("ink", "#222")
    colours.register("ink", "#000", replace=True)
    assert colours.get("ink") == "#000"


def test_registry_unknown_name_is_a_user_error_listing_the_known_names():
    colours: Registry[str] = Registry("colour")
    colours.register("paper", "#fff")
    colours.register("ink", "#222")
    with pytest.raises(InvalidInput, match=r"unknown colour 'red' \(known: ink, paper\)"):
        colours.get("red")


def test_registry_lists_sorted_names_and_unregisters():
    colours: Registry[str] = Registry("colour")

    @colours.register("paper")
    def paper() -> str:
        return "#fff"

    colours.register("ink", "#222")
    assert colours.names() == ["ink", "paper"]
    assert list(colours) == ["ink", "paper"] and len(colours) == 2 and "ink" in colours
    assert colours.values()[1] is paper
    assert colours.unregister("ink") == "#222"
    assert "ink" not in colours
    with pytest.raises(KeyError):
        colours.unregister("ink")


def test_registry_refuses_an_empty_name():
    with pytest.raises(ValueError, match="needs a name"):
        Registry[str]("colour").register("", "#fff")


def test_builtin_registries_are_registry_instances():
    assert isinstance(FORMATS, Registry) and "ris" in available_formats() and "ris" in FORMATS
    assert isinstance(CLASSIFIERS, Registry) and "svm" in CLASSIFIERS
    assert isinstance(MODELS, Registry) and "default" in MODELS


class _Pipes:
    """A toy export format: one record per line, ``title|year``."""

    name = "test_pipes"
    label = "Pipe-separated test records"

    def detect(self, text: str) -> float:
        return 0.99 if text.startswith("PIPES\n") else 0.0

    def read(self, text: str) -> list[RecordData]:
        out = []
        for line in text.splitlines()[1:]:
            title, year = line.split("|")
            out.append(RecordData(title=title, year=int(year)))
        return out


def test_outside_code_can_register_an_import_format(registered):
    registered(FORMATS, "test_pipes", _Pipes())
    parsed = read_text("PIPES\nPeer navigation|2019\nHarm reduction|2021\n", file="toy.txt")
    assert parsed.format == "test_pipes"
    assert [(r.title, r.year) for r in parsed.records] == [("Peer navigation", 2019), ("Harm reduction", 2021)]


def test_a_second_format_named_like_a_builtin_is_refused():
    class FakeRis(_Pipes):
        name = "ris"

    with pytest.raises(DuplicateName, match="format 'ris' is already registered"):
        register(FakeRis)
    assert type(FORMATS.get("ris")).__name__ != "FakeRis"


def test_the_registered_fixture_removes_what_a_test_added(registered):
    registered(FORMATS, "test_pipes", _Pipes())
    assert "test_pipes" in FORMATS


def test_no_test_format_is_left_registered():
    # Runs after the tests above (file order): their fixture cleaned up.
    assert "test_pipes" not in FORMATS
