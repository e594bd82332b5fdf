"""Append-only audit log of every create, change, decision, login, export and reveal."""
