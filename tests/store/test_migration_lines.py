"""A first launch prints no migration lines; an older store says in one line that it is migrated."""

from __future__ import annotations


def test_a_new_store_says_nothing_of_migrating_and_an_older_one_says_it_once(tmp_path, caplog, monkeypatch):
    import logging

    from wtdc_desktop.store import Store, schema

    with caplog.at_level(logging.INFO, logger="wtdc_desktop"):
        Store(tmp_path / "new").close()
        assert not [r for r in caplog.records if "migrating" in r.getMessage()]
        with monkeypatch.context() as m:  # a store made by an older version, two schemas behind
            m.setattr(schema, "LATEST_VERSION", schema.LATEST_VERSION - 2)
            Store(tmp_path / "old").close()
        caplog.clear()
        with Store(tmp_path / "old") as store:
            assert store.schema_version() == schema.LATEST_VERSION
        lines = [r.getMessage() for r in caplog.records if "migrating" in r.getMessage()]
        assert len(lines) == 1 and lines[0].endswith(f"from schema {schema.LATEST_VERSION - 2} to "
                                                     f"{schema.LATEST_VERSION}")
