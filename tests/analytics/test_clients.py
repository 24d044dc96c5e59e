"""The client hash: random daily salt, network cut, no raw address; ProxyFix behind proxies."""

from __future__ import annotations

import pytest

from publisher import create_app
from publisher.analytics.clients import block_of, client_hash, network_hash, network_of
from tests.support.app import test_config


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.23", "198.51.100.23"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.23", "198.51.100.23"),  # an IPv4 client on a dual stack
        ("not-an-ip", "not-an-ip"),
        (None, ""),
    ],
)
def test_network_of(address, network):
    assert network_of(address) == network


SALT = bytes(range(32))
OTHER_SALT = bytes(range(1, 33))


def test_hash_is_stable_with_the_salt_and_changes_with_it():
    first = client_hash(SALT, "198.51.100.23", "AntennaPod/3")
    assert first == client_hash(SALT, "198.51.100.23", "AntennaPod/3")
    assert first != client_hash(OTHER_SALT, "198.51.100.23", "AntennaPod/3")
    assert first != client_hash(SALT, "198.51.100.24", "AntennaPod/3")
    assert first != client_hash(SALT, "198.51.100.23", "Overcast/3")
    assert len(first) == 64 and "198" not in first


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("198.51.100.23", "198.51.100.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.23", "198.51.100.0/24"),
    ],
)
def test_the_user_agent_cap_counts_per_block(address, block):
    assert block_of(address) == block
    assert network_hash(SALT, address) == network_hash(SALT, block.split("/")[0])


def _remote_addr_app(database_url, tmp_path, **config):
    app = create_app(test_config(database_url, tmp_path, **config))

    @app.get("/_addr")
    def addr():
        from flask import request

        return request.remote_addr or ""

    return app


def test_without_proxy_fix_forwarded_headers_are_ignored(migrated_database, tmp_path):
    app = _remote_addr_app(migrated_database, tmp_path)
    response = app.test_client().get(
        "/_addr",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.text == "10.0.0.1"


def test_with_proxy_fix_the_forwarded_client_is_used(migrated_database, tmp_path):
    app = _remote_addr_app(migrated_database, tmp_path, PROXY_FIX_X_FOR=1)
    response = app.test_client().get(
        "/_addr",
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    # One trusted proxy: the last address it appended is the client; the rest is forgeable.
    assert response.text == "203.0.113.9"
