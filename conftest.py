"""Shared pytest fixtures live in ketnap/core/testing.py (the fixed org tree and users)."""

pytest_plugins = ["ketnap.core.testing"]
