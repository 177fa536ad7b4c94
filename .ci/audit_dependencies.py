"""CI: pip-audit the production lock file; 0 known vulnerabilities, every dependency audited.

pip-audit asks a vulnerability service about each pinned release. Where that service does not
answer for any of them (a machine whose package index serves packages but not that service),
nothing was audited: this says so plainly and exits 0, so CI goes on without that one check.
A partial answer, or any known vulnerability, fails.

Usage: python .ci/audit_dependencies.py [requirements.lock]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

UNREACHABLE = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "timed out")


def main(lock: Path) -> int:
    audited = subprocess.run(  # noqa: S603 - pip-audit of this venv, fixed arguments
        [
            str(Path(sys.executable).with_name("pip-audit")),
            "--requirement",
            str(lock),
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(audited.stdout)
    except json.JSONDecodeError:
        if any(sign in audited.stderr for sign in UNREACHABLE):
            return _skipped("its vulnerability service could not be reached")
        print(audited.stderr[-3000:], file=sys.stderr)
        print("ci: pip-audit failed", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"ci: pip-audit: {dependency['name']} {dependency['version']}: {ids}")
    if vulnerable:
        print(f"ci: pip-audit: {len(vulnerable)} vulnerable dependencies", file=sys.stderr)
        return 1
    if dependencies and len(skipped) == len(dependencies):
        return _skipped(f"no dependency could be looked up ({skipped[0]['skip_reason']!r}, …)")
    if skipped:
        for dependency in skipped:
            print(f"ci: pip-audit: not audited: {dependency['name']}: {dependency['skip_reason']}")
        print("ci: pip-audit: the audit is incomplete", file=sys.stderr)
        return 1
    print(f"ci: pip-audit: {len(dependencies)} locked dependencies, 0 known vulnerabilities")
    return 0


def _skipped(why: str) -> int:
    print(f"ci: pip-audit SKIPPED — {why}; the dependencies were NOT audited on this machine.")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")))
