"""Everything that speaks Cypher: the Neo4j connection, schema, importers, queries and the local server launcher."""

from graph.db import GraphStore
from graph.errors import DataFileError, GraphError, GraphUnavailableError, Neo4jLauncherError

__all__ = ["DataFileError", "GraphError", "GraphStore", "GraphUnavailableError", "Neo4jLauncherError"]
