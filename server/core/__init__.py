"""The small core every feature stands on: the clock and the month (`clock`), the domain
errors (`errors`), how numbers are written for people (`numbers`), GPS points and distances
(`geo`). Pure: no Flask, no SQLAlchemy, no database; `clock.py` is the one module that reads
the system clock."""
