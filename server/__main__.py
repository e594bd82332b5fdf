"""`python -m server …` is `fangfan …` (used to start the submission worker beside the server)."""

from server.cli import main

main()
