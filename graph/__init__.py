"""Everything that speaks Cypher: the Neo4j connection, schema, importers, queries and the local server launcher."""
