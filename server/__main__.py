"""`python -m server …` is `fangfan …` (used to start the worker beside gunicorn)."""

from server.cli import main

main()
