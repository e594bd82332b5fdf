"""The lowest layer: small pure rules any feature may use (no Flask, SQLAlchemy, clock, files)."""
