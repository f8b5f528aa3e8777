from __future__ import annotations

import types

import fraudrules


def test_all_is_sorted_and_complete() -> None:
    assert fraudrules.__all__ == sorted(fraudrules.__all__)
    for name in fraudrules.__all__:
        assert hasattr(fraudrules, name), name
    public = {name for name in dir(fraudrules) if not name.startswith("_")
              and not isinstance(getattr(fraudrules, name), types.ModuleType)
              and name != "annotations"}
    assert public <= set(fraudrules.__all__)


def test_errors_share_one_root() -> None:
    assert issubclass(fraudrules.PackError, fraudrules.FraudRulesError)


def test_package_ships_type_information() -> None:
    from importlib import resources

    assert resources.files("fraudrules").joinpath("py.typed").is_file()
