"""`python -m api.cli …` runs the `chatrec` command line."""

from api.cli import app

app()
