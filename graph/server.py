"""Run Neo4j 5.26 Community without Docker: jars resolved from Maven Central, started under OpenJDK 17.

The server home (git-ignored) holds `lib/` (the jars), `conf/neo4j.conf`, `data/`, `logs/` and `run/neo4j.pid`.
Maven caches the downloads in ~/.m2, so a second resolve is offline and fast.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph.db import GraphStore
from graph.errors import GraphUnavailableError, Neo4jLauncherError

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
# The Neo4j Browser's graph style (GraSS): a caption and a colour per label, applied on every connect.
BROWSER_STYLE_FILE = Path(__file__).with_name("browser.grass")
# Java 17 refuses Neo4j's reflective access to these packages unless they are opened explicitly.
JAVA_OPENS = [
    f"--add-opens=java.base/{package}=ALL-UNNAMED"
    for package in ("java.nio", "java.io", "sun.nio.ch", "java.util.concurrent", "java.lang", "java.util")
]
# The server's JVM flags as Neo4j's own launcher sets them (neo4j.conf `server.jvm.additional` defaults): a fixed-size
# heap and G1 without explicit GCs. With only -Xmx, the young generation stayed ~40 MB and collected every 2 s
# under load, each pause stalling every query in flight.
SERVER_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
]
POM_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by chatrec: the dependency list of a Neo4j Community server with the Neo4j Browser. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.chatrec</groupId>
  <artifactId>chatrec-neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId>
      <version>{neo4j_version}</version></dependency>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId>
      <version>{neo4j_version}</version></dependency>
    <dependency><groupId>org.neo4j.client</groupId><artifactId>neo4j-browser</artifactId>
      <version>{browser_version}</version></dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class LocalNeo4j:
    """A Neo4j Community server in its own home folder, listening on 127.0.0.1 only."""

    home: Path
    password: str
    bolt_port: int = 7687
    http_port: int = 7474
    neo4j_version: str = "5.26.30"
    browser_version: str = "5.24.0"
    java_home: Path = Path("/usr/lib/jvm/java-17-openjdk-amd64")
    heap: str = "1g"
    pagecache: str = "512m"

    @property
    def bolt_uri(self) -> str:
        """The Bolt URI clients connect to."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        """The HTTP root; the Neo4j Browser is at `{http_url}/browser/`."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def lib_dir(self) -> Path:
        """Folder of the resolved jars."""
        return self.home / "lib"

    @property
    def pid_file(self) -> Path:
        """Where the running server's process id is kept."""
        return self.home / "run" / "neo4j.pid"

    # -- resolve ---------------------------------------------------------------------------------------------
    def resolve(self) -> Path:
        """Copy the server and Browser jars from Maven (cached in ~/.m2) into `lib/`; skip when already there."""
        marker = self.lib_dir / f".resolved-{self.neo4j_version}-{self.browser_version}"
        if marker.exists():
            return self.lib_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jLauncherError("Maven (`mvn`) is not installed: install it (apt-get install maven) and retry.")
        home = self.home.resolve()  # Maven reads a relative output folder from the pom's folder, not ours
        home.mkdir(parents=True, exist_ok=True)
        pom = home / "pom.xml"
        pom.write_text(POM_TEMPLATE.format(neo4j_version=self.neo4j_version, browser_version=self.browser_version))
        staging = home / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]
        env = {**os.environ, "JAVA_HOME": str(self.java_home)}
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
            raise Neo4jLauncherError("Maven could not resolve Neo4j " + self.neo4j_version + ":\n" + "\n".join(tail))
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        staging.rename(self.lib_dir)
        marker.touch()
        return self.lib_dir

    # -- configure -------------------------------------------------------------------------------------------
    def configure(self) -> None:
        """Write `conf/neo4j.conf` (loopback only, authentication on) and set the initial password once."""
        for folder in ("conf", "data", "logs", "run", "import", "plugins"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        home = self.home.resolve()
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "dbms.usage_report.enabled": "false",
            "client.allow_telemetry": "false",
            "server.directories.data": str(home / "data"),
            "server.directories.logs": str(home / "logs"),
            "server.directories.run": str(home / "run"),
            "server.directories.import": str(home / "import"),
            "server.directories.plugins": str(home / "plugins"),
            "server.directories.lib": str(home / "lib"),
            "browser.post_connect_cmd": browser_post_connect_command(),
        }
        text = "# Written by `chatrec neo4j start`; edit the Settings (CHATREC_NEO4J_*) instead.\n"
        text += "".join(f"{key}={value}\n" for key, value in settings.items())
        (self.home / "conf" / "neo4j.conf").write_text(text)
        if not (self.home / "data" / "dbms" / "auth.ini").exists():
            if len(self.password) < 8:
                raise Neo4jLauncherError("The Neo4j password must have at least 8 characters.")
            self._java(ADMIN_CLASS, "dbms", "set-initial-password", self.password)

    # -- lifecycle -------------------------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The process id of the running server, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def start(self, timeout_s: float = 120.0) -> None:
        """Resolve, configure and start the server (no-op when it runs), then wait until Bolt accepts a login."""
        if self.pid() is not None:
            self.wait_until_ready(timeout_s)
            return
        for port in (self.bolt_port, self.http_port):
            if _port_in_use(port):
                raise Neo4jLauncherError(
                    f"Port {port} on 127.0.0.1 is already taken by another process; "
                    "stop it or choose other ports (CHATREC_NEO4J_BOLT_PORT / CHATREC_NEO4J_HTTP_PORT)."
                )
        self.resolve()
        self.configure()
        console = (self.home / "logs" / "console.log").open("ab")
        process = subprocess.Popen(
            [
                *self._java_command(MAIN_CLASS, server=True),
                f"--home-dir={self.home.resolve()}",
                f"--config-dir={(self.home / 'conf').resolve()}",
            ],
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._env(),
            start_new_session=True,
        )
        self.pid_file.write_text(str(process.pid))
        try:
            self.wait_until_ready(timeout_s, process=process)
        except Neo4jLauncherError:
            self.stop()
            raise

    def wait_until_ready(self, timeout_s: float = 120.0, process: subprocess.Popen | None = None) -> None:
        """Block until a Bolt login succeeds; fail early when the process dies."""
        deadline = time.monotonic() + timeout_s
        last_error = "no answer"
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise Neo4jLauncherError(
                    f"Neo4j exited with code {process.returncode} while starting; see {self.home / 'logs'}."
                )
            if _port_in_use(self.bolt_port):
                store = GraphStore(self.bolt_uri, "neo4j", self.password)
                try:
                    store.verify()
                    return
                except GraphUnavailableError as exc:
                    last_error = str(exc)
                    if "credentials" in last_error:
                        raise Neo4jLauncherError(
                            f"{last_error}. The data in {self.home / 'data'} was created with another password: "
                            "set CHATREC_NEO4J_PASSWORD to it, or delete that folder to start afresh."
                        ) from exc
                finally:
                    store.close()
            time.sleep(0.5)
        raise Neo4jLauncherError(f"Neo4j did not answer on {self.bolt_uri} within {timeout_s:.0f} s ({last_error}).")

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server gracefully (SIGTERM, then SIGKILL after `timeout_s`). Returns whether one was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> dict[str, object]:
        """Whether the server runs, its pid, addresses and version as the HTTP discovery endpoint reports it."""
        pid = self.pid()
        info: dict[str, object] = {
            "running": pid is not None,
            "pid": pid,
            "bolt": self.bolt_uri,
            "browser": f"{self.http_url}/browser/",
            "home": str(self.home),
        }
        if pid is not None:
            try:
                discovery = httpx.get(self.http_url, timeout=2.0).json()
                info["version"] = f"{discovery['neo4j_version']} {discovery['neo4j_edition']}"
            except (httpx.HTTPError, ValueError, KeyError):
                info["version"] = "not answering on HTTP yet"
        return info

    # -- helpers ---------------------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NEO4J_HOME": str(self.home.resolve()),
            "NEO4J_CONF": str((self.home / "conf").resolve()),
            "JAVA_HOME": str(self.java_home),
        }

    def _java_command(self, main_class: str, server: bool = False) -> list[str]:
        java = self.java_home / "bin" / "java"
        if not java.exists():
            raise Neo4jLauncherError(
                f"Java not found at {java}. Neo4j 5.26 needs OpenJDK 17 or 21: set CHATREC_JAVA_HOME to one."
            )
        heap = [f"-Xms{self.heap}", f"-Xmx{self.heap}", *SERVER_JVM_FLAGS] if server else [f"-Xmx{self.heap}"]
        return [str(java), *heap, *JAVA_OPENS, "-cp", str(self.lib_dir.resolve() / "*"), main_class]

    def _java(self, main_class: str, *args: str) -> None:
        result = subprocess.run(
            [*self._java_command(main_class), *args], capture_output=True, text=True, env=self._env(), check=False
        )
        if result.returncode != 0:
            raise Neo4jLauncherError(f"`{' '.join(args[:2])}` failed: {(result.stdout + result.stderr).strip()}")


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Parse GraSS as the Neo4j Browser does (`parseGrassCSS`), refusing the declarations it would silently drop."""
    rules: dict[str, dict[str, str]] = {}
    selector, body, in_string, in_body = "", "", False, False
    for char in text:
        if char in "'\"":
            in_string = not in_string  # the Browser drops the quotes and lets either kind close a string
        elif char == "{" and not in_string:
            if in_body:
                raise ValueError(f"GraSS: nested '{{' in {selector or 'a rule'}")
            in_body = True
        elif char == "}" and not in_string:
            rules[selector] = _grass_declarations(selector, body)
            selector, body, in_body = "", "", False
        elif in_body:
            body += char
        elif not char.isspace():
            selector += char
    if in_body or in_string or selector:
        raise ValueError(f"GraSS: unterminated rule {selector!r}")
    return rules


def _grass_declarations(selector: str, body: str) -> dict[str, str]:
    declarations: dict[str, str] = {}
    for declaration in filter(str.strip, body.split(";")):
        parts = declaration.split(":")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"GraSS: {selector} {{{declaration.strip()}}} is not one `property: value` without ':'")
        declarations[parts[0].strip()] = parts[1].strip()
    return declarations


def browser_post_connect_command(style_file: Path = BROWSER_STYLE_FILE) -> str:
    """`browser.post_connect_cmd`: the Browser's `:style` with the GraSS inline as JSON, which `:style` accepts.

    The Browser splits the setting on `;` outside quotes (CSS-form GraSS would fall apart) and runs `:style <text>`
    on each connect, so the captions need neither a URL nor anything fetched: it works offline.
    """
    command = "style " + json.dumps(parse_grass(style_file.read_text()), separators=(",", ":"))
    if ";" in command or "\\" in command:  # a `;` splits the command; a backslash is an escape in neo4j.conf
        raise Neo4jLauncherError(f"{style_file} must not contain ';', quotes inside a value or non-ASCII characters.")
    return command


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child we started is a zombie until reaped; reap it so it does not count as alive.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == 0
