"""Typed errors raised by gnn/: callers turn them into HTTP statuses or CLI exit codes."""

from __future__ import annotations


class GNNError(Exception):
    """Base class of every error raised by gnn/."""


class EmptyGraphError(GNNError):
    """The graph has no users, no items or no ratings to learn from."""


class CheckpointMismatchError(GNNError):
    """A saved model does not fit the graph (different nodes) or its own files disagree."""


class ModelNotFoundError(GNNError):
    """The model directory or one of its files does not exist."""


class UnknownEntityError(GNNError):
    """A (label, id) pair is not part of the trained model."""
