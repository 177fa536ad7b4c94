"""The register of young people."""
