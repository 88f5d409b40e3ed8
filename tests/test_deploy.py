"""What can be checked here without a Docker engine, as behaviour: every command the compose file, the Dockerfile
and scripts/up.sh run exists in the `chatrec` CLI; every service starts only after the ones it needs are healthy
or done; health checks probe routes the app has; the image holds every package the project installs."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import typer
import yaml

from api.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]


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


def _needs(service: str) -> set[str]:
    """Every service `service` waits for, directly or through the ones it waits for."""
    direct = set(SERVICES[service].get("depends_on", {}))
    return direct.union(*(_needs(other) for other in direct)) if direct else set()


@pytest.mark.parametrize("service", [name for name, spec in SERVICES.items() if spec.get("depends_on")])
def test_each_dependency_is_awaited_healthy_or_completed(service: str) -> None:
    for other, rule in SERVICES[service]["depends_on"].items():
        assert other in SERVICES, f"{service} waits for an unknown service {other!r}"
        if rule["condition"] == "service_healthy":
            assert "healthcheck" in SERVICES[other], f"{service} waits for {other} to be healthy, it has no check"
        else:
            assert rule["condition"] == "service_completed_successfully"
            assert SERVICES[other].get("restart") == "no", f"{other} is awaited to finish, so it must be one-shot"


def test_the_api_starts_after_neo4j_the_demo_data_and_a_trained_model() -> None:
    commands = {name: spec.get("command", []) for name, spec in SERVICES.items()}
    by_command = {tuple(command[:2]): name for name, command in commands.items()}
    loader, trainer, api = (
        by_command[("chatrec", "import")],
        by_command[("chatrec", "train")],
        by_command[("chatrec", "serve")],
    )
    database = next(name for name, spec in SERVICES.items() if str(spec.get("image", "")).startswith("neo4j:5.26"))
    assert {database, loader, trainer} <= _needs(api)
    assert loader in _needs(trainer) and database in _needs(loader)
    # The trainer writes the model where the API reads it.
    shared = {v.split(":")[0] for v in SERVICES[trainer]["volumes"]} & {
        v.split(":")[0] for v in SERVICES[api]["volumes"]
    }
    assert shared, "the trained model never reaches the API"


def test_volumes_are_declared_and_ports_listen_on_loopback_only() -> None:
    for name, spec in SERVICES.items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("$", ".", "/")):
                assert source in COMPOSE["volumes"], f"{name} mounts an undeclared volume {source!r}"
        for port in spec.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_health_checks_probe_routes_the_app_serves() -> None:
    from api.main import create_app

    routes = set(create_app().openapi()["paths"])
    probes = [" ".join(SERVICES["api"]["healthcheck"]["test"]), (ROOT / "Dockerfile").read_text()]
    for probe in probes:
        paths = re.findall(r"http://127\.0\.0\.1:8000(/[\w/]+)", probe)
        assert paths and all(path in routes for path in paths), paths


@pytest.mark.parametrize("service", [name for name, spec in SERVICES.items() if "command" in spec])
def test_compose_commands_exist_in_the_cli(service: str) -> None:
    _parses(SERVICES[service]["command"])


def test_the_image_runs_an_existing_command_and_holds_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    _parses(json.loads(cmd.group(1)))
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for package in (pattern.rstrip("*") for pattern in packages["include"]):
        assert re.search(rf"^COPY {package} \./{package}$", dockerfile, re.MULTILINE), f"the image lacks {package}/"


def test_setup_script_commands_exist_in_the_cli() -> None:
    lines = [line.strip().removeprefix("exec ") for line in (ROOT / "scripts" / "up.sh").read_text().splitlines()]
    commands = [shlex.split(line) for line in lines if line.startswith("chatrec ")]
    assert {"neo4j", "import", "train", "serve"} <= {c[1] for c in commands}
    for command in commands:
        _parses(command)


def test_unknown_command_is_detected() -> None:
    with pytest.raises(AssertionError, match="unknown command 'everything'"):
        _parses(["chatrec", "import", "everything"])


def test_unknown_option_is_detected() -> None:
    with pytest.raises(Exception, match="--colour"):
        _parses(["chatrec", "serve", "--colour", "blue"])
