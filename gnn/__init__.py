"""Graph neural recommender: knowledge-aware LightGCN over users, items, genres and people.

gnn/ never opens a Neo4j session: graph/export.py hands it arrays and graph/embeddings.py writes vectors back.
"""
