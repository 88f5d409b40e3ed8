"""Typed errors raised by gnn/, each a kind of `core.errors.ChatRecError`."""

from __future__ import annotations

from core.errors import ChatRecError, ErrorKind


class GNNError(ChatRecError, kind=ErrorKind.MODEL):
    """A failure of the model layer (e.g. an unknown device, nothing to fold in)."""


class EmptyGraphError(GNNError, kind=ErrorKind.INVALID):
    """The graph has no users, no items or no ratings to learn from."""


class CheckpointMismatchError(GNNError, kind=ErrorKind.MODEL_MISMATCH):
    """A saved model does not fit the graph (different nodes) or its own files disagree."""


class ModelNotFoundError(GNNError, kind=ErrorKind.NO_MODEL):
    """The model directory or one of its files does not exist."""
