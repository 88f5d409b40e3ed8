"""What can be checked here without a Docker engine: the compose file and Dockerfile are well formed and run
commands that the `chatrec` CLI really has (the same commands scripts/up.sh runs)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from api.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _parses(argv: list[str]) -> None:
    """Parse a `chatrec …` command line with the real CLI, without running it (raises on unknown commands/options)."""
    assert argv[0] == "chatrec"
    command = typer.main.get_command(app)
    args = list(argv[1:])
    while hasattr(command, "commands"):
        name, args = args[0], args[1:]
        assert name in command.commands, f"unknown command {name!r}"
        command = command.commands[name]
    command.make_context(command.name or "", args)


def test_compose_runs_neo4j_5_26_with_browser_auth_volumes_and_healthcheck() -> None:
    neo4j = COMPOSE["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert {"127.0.0.1:7474:7474", "127.0.0.1:7687:7687"} <= set(neo4j["ports"])
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert "neo4j-data:/data" in neo4j["volumes"] and "neo4j-data" in COMPOSE["volumes"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])


def test_compose_api_waits_for_healthy_neo4j_the_demo_data_and_the_trained_model() -> None:
    services = COMPOSE["services"]
    assert services["init"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"] == {
        "neo4j": {"condition": "service_healthy"},
        "train": {"condition": "service_completed_successfully"},
    }
    assert services["train"]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
    assert "models:/models" in services["train"]["volumes"] and "models:/models" in services["api"]["volumes"]
    assert services["api"]["environment"]["CHATREC_MODEL_DIR"] == "/models"
    assert services["api"]["environment"]["CHATREC_NEO4J_URI"] == "bolt://neo4j:7687"
    assert "/health/ready" in " ".join(services["api"]["healthcheck"]["test"])


@pytest.mark.parametrize("service", ["init", "train", "api"])
def test_compose_commands_exist_in_the_cli(service: str) -> None:
    _parses(COMPOSE["services"][service]["command"])


def test_dockerfile_command_exists_in_the_cli() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    _parses(json.loads(cmd.group(1)))
    assert "FROM python:3.11" in dockerfile


def test_setup_script_commands_exist_in_the_cli() -> None:
    lines = [line.strip().removeprefix("exec ") for line in (ROOT / "scripts" / "up.sh").read_text().splitlines()]
    commands = [shlex.split(line) for line in lines if line.startswith("chatrec ")]
    assert [c[:2] for c in commands] == [
        ["chatrec", "data"],
        ["chatrec", "neo4j"],
        ["chatrec", "import"],
        ["chatrec", "train"],
        ["chatrec", "stats"],
        ["chatrec", "serve"],
    ]
    for command in commands:
        _parses(command)
    assert any(c[:3] == ["chatrec", "import", "demo"] for c in commands)
    assert COMPOSE["services"]["init"]["command"] == ["chatrec", "import", "demo"]


def test_unknown_command_is_detected() -> None:
    with pytest.raises(AssertionError, match="unknown command 'everything'"):
        _parses(["chatrec", "import", "everything"])


def test_unknown_option_is_detected() -> None:
    with pytest.raises(Exception, match="--colour"):
        _parses(["chatrec", "serve", "--colour", "blue"])
