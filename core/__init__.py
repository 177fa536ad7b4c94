"""Shared core: database base classes and the cryptographic primitives every package uses."""
