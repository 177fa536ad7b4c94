"""The start page, language choice and the load balancer's health check."""

from app.main.routes import bp

__all__ = ["bp"]
