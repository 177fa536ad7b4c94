"""deploy/: nginx accepts the site (`nginx -t`, with a throwaway certificate), systemd accepts
the units (`systemd-analyze verify`), the units run the real commands, and the proxy headers
nginx sets are the ones Silta trusts with SILTA_TRUSTED_PROXIES=1."""

from __future__ import annotations

import datetime
import re
import runpy
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, request

from app.security import public
from tests.conftest import AppFactory

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "silta.conf"
UNITS = sorted((DEPLOY / "systemd").iterdir())
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "silta.example.fi")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TestNginxSite:
    @pytest.mark.skipif(NGINX is None, reason="nginx is not installed: `nginx -t` skipped")
    def test_nginx_accepts_the_site(self, tmp_path: Path) -> None:
        cert, key = _self_signed(tmp_path)
        site = (
            SITE.read_text()
            .replace("/etc/ssl/silta/fullchain.pem", str(cert))
            .replace("/etc/ssl/silta/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{tmp_path}/")
        )
        assert str(cert) in site and "/var/log" not in site
        (tmp_path / "silta.conf").write_text(site)
        temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for folder in temp.values():
            folder.mkdir()
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/error.log;\n"
            "events {}\n"
            "http {\n"
            f"    access_log {tmp_path}/access.log;\n"
            f"    client_body_temp_path {temp['body']};\n"
            f"    proxy_temp_path {temp['proxy']};\n"
            f"    fastcgi_temp_path {temp['fastcgi']};\n"
            f"    uwsgi_temp_path {temp['uwsgi']};\n"
            f"    scgi_temp_path {temp['scgi']};\n"
            f"    include {tmp_path}/silta.conf;\n"
            "}\n"
        )
        assert NGINX is not None
        result = subprocess.run(
            [
                NGINX,
                "-t",
                "-p",
                str(tmp_path),
                "-e",
                str(tmp_path / "error.log"),
                "-c",
                str(tmp_path / "nginx.conf"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "test is successful" in result.stderr

    def test_it_sets_one_value_per_header_proxyfix_trusts(self) -> None:
        site = SITE.read_text()
        for header, value in (
            ("X-Forwarded-For", "$remote_addr"),
            ("X-Forwarded-Proto", "$scheme"),
            ("X-Forwarded-Host", "$host"),
            ("X-Forwarded-Port", "$server_port"),
            ("X-Request-ID", "$request_id"),
        ):
            assert re.search(rf"proxy_set_header {re.escape(header)} {re.escape(value)};", site)
        assert "Strict-Transport-Security" in site and "ssl_certificate " in site
        assert "$request_uri" not in site.split("log_format", 1)[1].split(";", 1)[0]

    def test_behind_one_proxy_silta_sees_what_nginx_forwards(self, make_app: AppFactory) -> None:
        app: Flask = make_app(SILTA_TRUSTED_PROXIES=1)
        seen: dict[str, object] = {}

        @app.get("/probe")
        @public
        def probe() -> str:
            seen.update(addr=request.remote_addr, secure=request.is_secure, host=request.host)
            return ""

        app.test_client().get(
            "/probe",
            headers={
                "X-Forwarded-For": "198.51.100.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "silta.example.fi",
                "X-Forwarded-Port": "443",
            },
        )
        assert seen == {"addr": "198.51.100.7", "secure": True, "host": "silta.example.fi"}


class TestSystemdUnits:
    def test_there_is_a_service_per_job_and_a_timer_for_each_command(self) -> None:
        names = {unit.name for unit in UNITS}
        assert names == {
            "silta.service",
            "silta-audit-checkpoint.service",
            "silta-audit-checkpoint.timer",
            "silta-audit-verify.service",
            "silta-audit-verify.timer",
            "silta-retention-sweep.service",
            "silta-retention-sweep.timer",
            "silta-statistics-prepare.service",
            "silta-statistics-prepare.timer",
        }

    @pytest.mark.parametrize(
        ("unit", "command"),
        [
            ("silta-audit-checkpoint.service", ["audit", "checkpoint"]),
            ("silta-audit-verify.service", ["audit", "verify"]),
            ("silta-retention-sweep.service", ["retention", "sweep"]),
            ("silta-statistics-prepare.service", ["statistics", "prepare"]),
        ],
    )
    def test_each_job_runs_a_real_command(self, app: Flask, unit: str, command: list[str]) -> None:
        text = (DEPLOY / "systemd" / unit).read_text()
        assert f"flask --app wsgi {' '.join(command)}\n" in text
        group = app.cli.commands[command[0]]
        assert command[1] in getattr(group, "commands", {})

    def test_the_service_and_the_sweep_share_the_metrics_folder(self) -> None:
        def folder(unit: str) -> str | None:
            found = re.search(
                r"^Environment=PROMETHEUS_MULTIPROC_DIR=(\S+)$",
                (DEPLOY / "systemd" / unit).read_text(),
                re.MULTILINE,
            )
            return found.group(1) if found else None

        shared = folder("silta.service")
        assert shared and folder("silta-retention-sweep.service") == shared
        assert (
            f"ExecStartPre=/usr/bin/find {shared} -mindepth 1 -delete"
            in (DEPLOY / "systemd" / "silta.service").read_text()
        )
        assert folder("silta-audit-checkpoint.service") is None

    @pytest.mark.skipif(
        SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed: units not verified"
    )
    def test_systemd_accepts_the_units(self, tmp_path: Path) -> None:
        # The units name /srv/silta; here the checkout (with its .venv) stands in for it.
        if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
            pytest.skip("no .venv/bin/gunicorn in this checkout to stand in for /srv/silta")
        for unit in UNITS:
            (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/silta", str(ROOT)))
        assert SYSTEMD_ANALYZE is not None
        result = subprocess.run(
            [SYSTEMD_ANALYZE, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip() == "", result.stderr


class TestGunicornConfig:
    def test_a_finished_workers_gauges_are_dropped(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
        assert settings["bind"] == "127.0.0.1:8000" and settings["accesslog"] is None
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        live = tmp_path / "gauge_livesum_4242.db"
        live.write_bytes(b"")
        settings["child_exit"](None, SimpleNamespace(pid=4242))
        assert not live.exists()
