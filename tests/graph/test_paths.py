"""Explanation paths: what one read returns for a filtered list, and the co-rater fallback."""

from __future__ import annotations

from core.types import Constraints
from graph.db import GraphStore
from graph.paths import explanation_paths, select_explained_items
from graph.recommend import select_items


def _plant(store: GraphStore) -> None:
    store.write(
        """
        CREATE (u:User {id: 'u'}), (v:User {id: 'v'}),
               (fargo:Item {id: 'fargo', name: 'Fargo', year: 1996}),
               (lebowski:Item {id: 'lebowski', name: 'The Big Lebowski', year: 1998}),
               (alien:Item {id: 'alien', name: 'Alien', year: 1979}),
               (heat:Item {id: 'heat', name: 'Heat', year: 1995}),
               (coen:Person {id: 'coen', name: 'Joel Coen'}), (crime:Genre {id: 'crime', name: 'Crime'}),
               (scifi:Genre {id: 'scifi', name: 'Sci-Fi'}),
               (u)-[:RATED {rating: 5}]->(fargo), (u)-[:RATED {rating: 4}]->(alien),
               (coen)-[:DIRECTED]->(fargo), (coen)-[:DIRECTED]->(lebowski),
               (fargo)-[:IN_GENRE]->(crime), (lebowski)-[:IN_GENRE]->(crime), (alien)-[:IN_GENRE]->(scifi),
               (v)-[:RATED {rating: 5}]->(alien), (v)-[:RATED {rating: 4}]->(heat)
        """
    )


def test_one_read_selects_like_select_items_and_explains_what_it_kept(store: GraphStore) -> None:
    _plant(store)
    ranked = ["missing", "alien", "lebowski", "heat"]
    no_scifi = Constraints(genres_excluded=("scifi",))
    items, paths = select_explained_items(store, "u", ranked, 2, no_scifi)
    assert items == select_items(store, ranked, 2, no_scifi)
    assert [item.id for item in items] == ["lebowski", "heat"]
    assert set(paths) == {"lebowski", "heat"}
    lebowski = {tuple(node.id for node in path.nodes) for path in paths["lebowski"]}
    assert lebowski == {("u", "fargo", "coen", "lebowski"), ("u", "fargo", "crime", "lebowski")}
    # Heat shares nothing with u's likes but a co-rater: the fallback read finds u -> Alien <- v -> Heat.
    assert [tuple(node.id for node in path.nodes) for path in paths["heat"]] == [("u", "alien", "v", "heat")]
    assert paths == explanation_paths(store, "u", ["lebowski", "heat"])


def test_nothing_selected_explains_nothing(store: GraphStore) -> None:
    _plant(store)
    assert select_explained_items(store, "u", ["missing"], 3, Constraints()) == ([], {})
    assert select_explained_items(store, "nobody", ["heat"], 3, Constraints())[1] == {"heat": []}


def test_a_tag_both_films_were_given_is_a_path(store: GraphStore) -> None:
    from api.services.explainer import render

    store.write(
        """
        CREATE (u:User {id: 'u'}), (w:User {id: 'w'}),
               (matrix:Item {id: 'matrix', name: 'The Matrix'}), (inception:Item {id: 'inception', name: 'Inception'}),
               (twist:Tag {id: 'twist ending', name: 'twist ending'}),
               (u)-[:RATED {rating: 5}]->(matrix),
               (matrix)-[:TAGGED {count: 3}]->(twist), (inception)-[:TAGGED {count: 5}]->(twist),
               (w)-[:PREFERS {polarity: 'like'}]->(twist)
        """
    )
    [path] = explanation_paths(store, "u", ["inception"])["inception"]
    assert [n.id for n in path.nodes] == ["u", "matrix", "twist ending", "inception"]
    assert [r.type for r in path.relationships] == ["RATED", "TAGGED", "TAGGED"]
    assert render(path) == ("You rated The Matrix 5/5, which people tag “twist ending”, as they tag Inception.")
    # A tag said in the conversation leads straight to the films given it.
    [said] = explanation_paths(store, "w", ["inception"])["inception"]
    assert [n.id for n in said.nodes] == ["w", "twist ending", "inception"]
    assert render(said) == "You said you like twist ending, and people tag Inception “twist ending”."


def test_a_person_who_directed_and_wrote_a_film_is_said_to_have_directed_it(store: GraphStore) -> None:
    from api.services.explainer import render

    store.write(
        """
        CREATE (u:User {id: 'u'}), (casino:Item {id: 'casino', name: 'Casino (1995)'}),
               (goodfellas:Item {id: 'goodfellas', name: 'Goodfellas (1990)'}),
               (scorsese:Person {id: 'scorsese', name: 'Martin Scorsese'}),
               (u)-[:PREFERS {polarity: 'like'}]->(scorsese), (u)-[:PREFERS {polarity: 'like'}]->(goodfellas),
               (scorsese)-[:WROTE]->(casino), (scorsese)-[:DIRECTED]->(casino),
               (scorsese)-[:WROTE]->(goodfellas), (scorsese)-[:DIRECTED]->(goodfellas)
        """
    )
    paths = explanation_paths(store, "u", ["casino"])["casino"]
    said = sorted(render(path) for path in paths)
    assert said == [
        "You said you like Goodfellas (1990), directed by Martin Scorsese, who also directed Casino (1995).",
        "You said you like Martin Scorsese, who directed Casino (1995).",
    ]
