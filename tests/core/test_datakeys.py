"""The system data key: created once, stored only wrapped, bound to its owner."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db, silta
from core import crypto, datakeys


def test_system_key_is_created_once_and_stored_wrapped(app: Flask) -> None:
    with app.app_context():
        version, key = datakeys.system_data_key(db(), silta().keys())
        db().commit()
        rows = db().scalars(select(datakeys.DataKey)).all()
        assert [r.owner for r in rows] == ["system"]
        assert key not in rows[0].wrapped
        assert rows[0].kek_version == silta().keys().current_kek_version
    with app.app_context():
        assert datakeys.system_data_key(db(), silta().keys()) == (version, key)


def test_system_field_round_trip_and_binding(app: Flask) -> None:
    row = uuid.uuid4()
    with app.app_context():
        keys = silta().keys()
        blob = datakeys.encrypt_system_field(db(), keys, "users", "totp_secret", row, "abc")
        assert datakeys.decrypt_system_field(db(), keys, "users", "totp_secret", row, blob) == "abc"
        with pytest.raises(crypto.DecryptionError):
            datakeys.decrypt_system_field(db(), keys, "users", "demo_password", row, blob)


def test_losing_a_creation_race_reuses_the_winners_key(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        winner = silta().session_factory()
        loser = silta().session_factory()
        key_one = datakeys.system_data_key(winner, silta().keys())
        winner.commit()
        real_load = datakeys.load_data_key
        calls = []

        def stale_first_read(session, keys, owner):
            calls.append(owner)
            return None if len(calls) == 1 else real_load(session, keys, owner)

        # The loser read before the winner committed, then tries to insert its own key.
        monkeypatch.setattr(datakeys, "load_data_key", stale_first_read)
        assert datakeys.system_data_key(loser, silta().keys()) == key_one
        assert len(calls) == 2
        loser.commit()
        assert len(winner.scalars(select(datakeys.DataKey)).all()) == 1
        winner.close()
        loser.close()
