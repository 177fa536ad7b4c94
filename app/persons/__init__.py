"""The register of young people."""

from app.persons.routes import bp

__all__ = ["bp"]
