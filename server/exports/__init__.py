"""Streamed exports of submissions and registry tables: CSV in a ZIP (repeats as their own
tables, as ODK Central does) and XLSX, with personal data masked unless the role may see it."""
