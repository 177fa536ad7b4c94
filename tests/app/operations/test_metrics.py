"""`/metrics`: only for the monitoring network (as the trusted proxies report the client) or
the bearer token, 404 to anyone else; request latency by endpoint and status class, sign-in
failures, the chain's backlog and batch sizes, sweep progress; no ids or names in it; in
multiprocess mode the values of every process add up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families

from app.config import ConfigError, load
from app.operations.metrics import Metrics, status_class
from audit.queries import ChainLag
from tests.app.casework_helpers import case_id_of, signed_in
from tests.conftest import AppFactory
from tests.helpers import post

TOKEN = "metrics-token-that-is-long-enough-0123456789"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


class TestAccess:
    def test_loopback_may_scrape(self, app: Flask) -> None:
        answer = app.test_client().get("/metrics")
        assert answer.status_code == 200
        assert answer.content_type.startswith("text/plain")
        assert "silta_http_request_duration_seconds" in answer.text

    def test_another_network_gets_404(self, app: Flask) -> None:
        answer = app.test_client().get("/metrics", environ_base=OUTSIDE)
        assert answer.status_code == 404 and "silta_" not in answer.text

    def test_the_token_opens_it_from_anywhere(self, make_app: AppFactory) -> None:
        app = make_app(SILTA_METRICS_TOKEN=TOKEN)
        client = app.test_client()
        good = client.get(
            "/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert good.status_code == 200 and "silta_audit_chain_pending_events" in good.text
        for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer ", TOKEN):
            refused = client.get(
                "/metrics", environ_base=OUTSIDE, headers={"Authorization": header}
            )
            assert refused.status_code == 404, header

    @pytest.mark.parametrize(("address", "status"), [("::ffff:127.0.0.1", 200), ("junk", 404)])
    def test_mapped_and_unparseable_addresses(self, app: Flask, address: str, status: int) -> None:
        answer = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert answer.status_code == status

    def test_no_token_configured_means_no_token_accepted(self, app: Flask) -> None:
        answer = app.test_client().get(
            "/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer "}
        )
        assert answer.status_code == 404

    def test_behind_the_proxy_the_forwarded_client_decides(self, make_app: AppFactory) -> None:
        app = make_app(SILTA_TRUSTED_PROXIES=1, **_networks("10.0.0.0/8"))
        client = app.test_client()  # the proxy itself connects from loopback
        inside = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
        outside = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
        assert inside.status_code == 200 and outside.status_code == 404

    def test_without_trusted_proxies_a_forged_header_changes_nothing(
        self, make_app: AppFactory
    ) -> None:
        app = make_app(**_networks("10.0.0.0/8"))
        forged = app.test_client().get(
            "/metrics", environ_base=OUTSIDE, headers={"X-Forwarded-For": "10.1.2.3"}
        )
        assert forged.status_code == 404

    def test_it_is_a_reviewed_public_route(self, app: Flask) -> None:
        view = app.view_functions["operations.metrics"]
        assert getattr(view, "silta_public", False)
        assert getattr(view, "silta_permission", None) is None


def _networks(raw: str) -> dict[str, object]:
    return {
        "SILTA_METRICS_NETWORKS": load(Path("/nonexistent"), {"SILTA_METRICS_NETWORKS": raw})[
            "SILTA_METRICS_NETWORKS"
        ]
    }


class TestSettings:
    def test_default_is_loopback_only(self) -> None:
        networks = load(Path("/x"), {})["SILTA_METRICS_NETWORKS"]
        assert [str(n) for n in networks] == ["127.0.0.1/32", "::1/128"]

    @pytest.mark.parametrize("raw", ["10.0.0.0/33", "not-a-network", "10.0.0.0/8,,x"])
    def test_a_bad_network_is_refused_naming_the_variable(self, raw: str) -> None:
        with pytest.raises(ConfigError, match="SILTA_METRICS_NETWORKS"):
            load(Path("/x"), {"SILTA_METRICS_NETWORKS": raw})

    def test_a_short_token_is_refused(self) -> None:
        with pytest.raises(ConfigError, match="SILTA_METRICS_TOKEN"):
            load(Path("/x"), {"SILTA_METRICS_TOKEN": "short"})


class TestWhatIsMeasured:
    def test_request_latency_by_endpoint_and_status_class(self, app: Flask) -> None:
        client = app.test_client()
        client.get("/login")
        client.get("/login")
        client.get(f"/persons/{'0' * 8}-0000-0000-0000-{'0' * 12}")
        client.get("/no-such-page")
        text = client.get("/metrics").text
        name = "silta_http_request_duration_seconds_count"
        assert _value(text, name, endpoint="auth.login", status_class="2xx") == 2
        assert _value(text, name, endpoint="persons.detail", status_class="3xx") == 1
        assert _value(text, name, endpoint="unmatched", status_class="4xx") == 1

    def test_sign_in_failures_by_stage(self, app: Flask) -> None:
        client = app.test_client()
        before = _value(
            client.get("/metrics").text, "silta_sign_in_failures_total", stage="password"
        )
        for _ in range(3):
            assert (
                post(client, "/login", {"username": "nobody", "password": "wrong"}).status_code
                == 401
            )
        text = client.get("/metrics").text
        assert _value(text, "silta_sign_in_failures_total", stage="password") == before + 3
        assert _value(text, "silta_sign_in_failures_total", stage="totp") == 0

    def test_chain_batches_and_backlog(self, app: Flask) -> None:
        client = app.test_client()
        post(client, "/login", {"username": "nobody", "password": "wrong"})  # an audited event
        text = client.get("/metrics").text
        assert _value(text, "silta_audit_chain_batch_size_count") >= 1
        assert _value(text, "silta_audit_chain_pending_events") == 0
        assert _value(text, "silta_audit_chain_events") >= 1

    def test_sweep_progress(self, demo_app: Flask) -> None:
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
        assert result.exit_code == 0, result.output
        text = demo_app.test_client().get("/metrics").text
        assert _value(text, "silta_retention_sweep_due_persons") == 1  # Aada (P5)
        assert _value(text, "silta_retention_sweep_erased_persons") == 1
        assert _value(text, "silta_retention_sweep_finished_timestamp_seconds") > 0

    def test_no_ids_or_names_in_the_metrics(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        sanna.get(f"/cases/{case_id_of(demo_app, '140310A1230')}")
        post(sanna, "/persons/", {"by": "code", "code-identity_code": "140310A1230"})
        text = demo_app.test_client().get("/metrics").text
        assert 'endpoint="casework.detail",status_class="2xx"' in text
        assert not UUID.search(text)
        for value in ("140310A1230", "Eetu", "Esimerkki", "sanna", "Sanna"):
            assert value not in text

    @pytest.mark.parametrize(
        ("status", "expected"),
        [(200, "2xx"), (302, "3xx"), (404, "4xx"), (503, "5xx"), (99, "1xx")],
    )
    def test_status_classes(self, status: int, expected: str) -> None:
        assert status_class(status) == expected


class TestMultiprocess:
    def test_two_processes_add_up(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        lag = ChainLag(pending=3, oldest_pending_seconds=1.5, chain_size=10)
        outputs = []
        for pid in (1001, 1002):
            monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue(lambda pid=pid: pid))
            worker = Metrics(str(tmp_path))
            worker.sign_in_failed("password")
            worker.observe_request("auth.login", 200, 0.01)
            outputs.append(worker)
        text = outputs[0].render(lambda: lag).decode()
        assert _value(text, "silta_sign_in_failures_total", stage="password") == 2
        name = "silta_http_request_duration_seconds_count"
        assert _value(text, name, endpoint="auth.login", status_class="2xx") == 2
        assert _value(text, "silta_audit_chain_pending_events") == 3
        assert list(tmp_path.glob("*.db"))
