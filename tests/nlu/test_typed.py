"""How people type, against a real Neo4j: lower case, bare titles, missing articles, shortened titles, surnames,
typos, lists, relative years; each row of issue 18's table that the graph can answer."""

from __future__ import annotations

import pytest

from core.types import GroundedEntity, Intent, Polarity
from graph.db import GraphStore
from nlu.embedded import EmbeddedParser
from nlu.encoder import SentenceEncoder
from nlu.grounding import Grounder
from nlu.reaction import react

# (id, title, year, genres, ratings, dialogue likes)
MOVIES = [
    ("m:godfather", "The Godfather (1972)", 1972, ["crime", "drama"], 40, 5),
    ("m:godfather2", "The Godfather Part II (1974)", 1974, ["crime", "drama"], 20, 1),
    ("m:jaws", "Jaws (1975)", 1975, ["horror", "thriller"], 30, 3),
    ("m:rocky", "Rocky (1976)", 1976, ["drama"], 12, 2),
    ("m:rocky4", "Rocky IV (1985)", 1985, ["drama"], 3, 0),
    ("m:amelie", "Amélie (2001)", 2001, ["comedy", "romance"], 15, 2),
    ("m:frozen", "Frozen (2013)", 2013, ["animation", "family"], 0, 6),
    ("m:frozen2010", "Frozen (2010)", 2010, ["horror"], 1, 0),
    ("m:matrix", "The Matrix (1999)", 1999, ["sci-fi", "action"], 42, 6),
    ("m:inception", "Inception (2010)", 2010, ["sci-fi", "thriller"], 0, 8),
    ("m:avatar", "Avatar (2009)", 2009, ["sci-fi"], 0, 5),
    ("m:alien", "Alien (1979)", 1979, ["sci-fi", "horror"], 25, 3),
    ("m:pulp", "Pulp Fiction (1994)", 1994, ["crime"], 45, 6),
    ("m:lotr", "The Lord of the Rings: The Fellowship of the Ring (2001)", 2001, ["fantasy"], 0, 7),
    ("m:lotr78", "The Lord of the Rings (1978)", 1978, ["animation", "fantasy"], 1, 0),
    ("m:jungle94", "The Jungle Book (1994)", 1994, ["family"], 8, 0),
    ("m:jungle16", "The Jungle Book (2016)", 2016, ["family", "fantasy"], 0, 4),
    ("m:mask", "The Mask (1994)", 1994, ["comedy"], 20, 3),
    ("m:help", "The Help (2011)", 2011, ["drama"], 2, 1),
    ("m:dunkirk", "Dunkirk (2017)", 2017, ["war"], 0, 3),
    ("m:bride", "The Princess Bride (1987)", 1987, ["fantasy", "romance"], 30, 2),
    ("m:butterfly", "The Butterfly Effect (2004)", 2004, ["sci-fi", "thriller"], 10, 2),
    ("m:family", "My Family (1995)", 1995, ["drama"], 5, 0),
    ("m:getout", "Get Out (2017)", 2017, ["horror"], 0, 6),
    ("m:spiderman2", "Spider-Man 2 (2004)", 2004, ["action"], 10, 1),
    ("m:lionking", "The Lion King (1994)", 1994, ["animation", "children"], 10, 1),
    ("m:leary", "Denis Leary: No Cure for Cancer (1993)", 1993, ["comedy"], 2, 0),
    ("m:shawshank", "The Shawshank Redemption (1994)", 1994, ["drama"], 50, 2),
    ("m:lebowski", "The Big Lebowski (1998)", 1998, ["comedy"], 30, 3),
    ("m:pineapple", "Pineapple Express (2008)", 2008, ["comedy"], 30, 3),
    ("m:starwars", "Star Wars (1977)", 1977, ["sci-fi"], 45, 4),
    ("m:ghostbusters", "Ghostbusters (1984)", 1984, ["comedy"], 40, 2),
    ("m:capote", "Capote (2005)", 2005, ["drama"], 6, 0),
    ("m:coldblood", "In Cold Blood (1967)", 1967, ["crime"], 8, 1),
    ("m:tiffanys", "Breakfast at Tiffany's (1961)", 1961, ["romance"], 8, 1),
    ("m:grassharp", "The Grass Harp (1995)", 1995, ["drama"], 2, 0),
    ("m:gordy", "Gordy (1995)", 1995, ["children"], 3, 0),
    ("m:toy", "The Toy (1982)", 1982, ["comedy"], 10, 0),
    ("m:toystory", "Toy Story (1995)", 1995, ["animation"], 10, 1),
    ("m:ironman", "Iron Man (2008)", 2008, ["action"], 10, 1),
    ("m:ironman2", "Iron Man 2 (2010)", 2010, ["action"], 10, 1),
    ("m:et", "E.T. the Extra-Terrestrial (1982)", 1982, ["sci-fi"], 10, 1),
    ("m:sematary", "Pet Sematary (1989)", 1989, ["horror"], 12, 0),  # a keyword of a film few talk about
    ("m:infinity", "Avengers: Infinity War (2018)", 2018, ["action"], 10, 2),
    ("m:civilwar", "Captain America: Civil War (2016)", 2016, ["action"], 10, 2),
    ("m:lambs", "The Silence of the Lambs (1991)", 1991, ["thriller"], 40, 3),
    ("m:kingcomedy", "The King of Comedy (1983)", 1983, ["comedy"], 3, 0),
    ("m:goodfellas", "Goodfellas (1990)", 1990, ["crime"], 30, 2),
    ("m:taxidriver", "Taxi Driver (1976)", 1976, ["crime"], 20, 1),
    ("m:anythingelse", "Anything Else (2003)", 2003, ["comedy"], 1, 0),
    ("m:ratatouille", "Ratatouille (2007)", 2007, ["animation"], 20, 3),
    ("m:faces", "Faces (1968)", 1968, ["drama"], 1, 0),
    ("m:sunshine", "Eternal Sunshine of the Spotless Mind (2004)", 2004, ["romance"], 20, 3),
    ("m:raiders", "Raiders of the Lost Ark (1981)", 1981, ["adventure"], 30, 3),
    ("m:up", "Up (2009)", 2009, ["animation"], 30, 3),
    ("m:scream81", "Scream (1981)", 1981, ["horror"], 0, 0),
    ("m:scream96", "Scream (1996)", 1996, ["horror", "scary"], 30, 3),  # a catalog with a "scary" genre, as ReDial's
    ("m:mary", "There's Something About Mary (1998)", 1998, ["comedy"], 20, 2),
    ("m:fargo", "Fargo (1996)", 1996, ["crime"], 20, 2),
    ("m:her", "Her (2013)", 2013, ["romance"], 10, 2),
    ("m:walle", "WALL-E (2008)", 2008, ["animation"], 20, 3),
    ("m:insideout", "Inside Out (2015)", 2015, ["animation"], 10, 3),
    ("m:ghostbusters16", "Ghostbusters (2016)", 2016, ["comedy"], 3, 2),
    ("m:obama", "2016: Obama's America (2012)", 2012, ["documentary"], 2, 1),
    ("m:odyssey", "2001: A Space Odyssey (1968)", 1968, ["sci-fi"], 30, 2),
    ("m:strangelove", "Dr. Strangelove (1964)", 1964, ["comedy"], 20, 1),
    ("m:orient74", "Murder on the Orient Express (1974)", 1974, ["mystery"], 10, 1),
    ("m:orient17", "Murder on the Orient Express (2017)", 2017, ["mystery"], 5, 3),
    ("m:psycho", "Psycho (1960)", 1960, ["horror"], 30, 3),
    ("m:halloween78", "Halloween (1978)", 1978, ["horror"], 20, 2),
    ("m:halloween07", "Halloween (2007)", 2007, ["horror"], 4, 1),
    ("m:whiplash", "Whiplash (2014)", 2014, ["drama"], 20, 2),
    ("m:next", "Next (2007)", 2007, ["action"], 10, 1),
    ("m:lastjedi", "Star Wars: The Last Jedi (2017)", 2017, ["sci-fi"], 5, 2),
    ("m:somelikeit", "Some Like It Hot (1959)", 1959, ["comedy"], 5, 0),
    ("m:hereditary", "Hereditary (2018)", 2018, ["horror"], 0, 0),
    ("m:hitchcock", "Hitchcock (2012)", 2012, ["drama"], 3, 1),
    ("m:it", "It (2017)", 2017, ["horror"], 30, 3),
    ("m:ghost", "Ghost (1990)", 1990, ["romance"], 20, 2),
    ("m:godfather3", "The Godfather Part III (1990)", 1990, ["crime", "drama"], 10, 1),
    ("m:covenant", "Alien: Covenant (2017)", 2017, ["sci-fi"], 10, 1),
    ("m:kubo", "Kubo and the Two Strings (2016)", 2016, ["animation"], 10, 1),
    ("m:dragon", "How to Train Your Dragon (2010)", 2010, ["animation"], 20, 2),
    ("m:tucker", "Tucker & Dale vs. Evil (2010)", 2010, ["comedy", "horror"], 10, 1),
    ("m:jumanji95", "Jumanji (1995)", 1995, ["adventure"], 15, 1),
    ("m:jumanji17", "Jumanji (2017)", 2017, ["adventure"], 20, 3),
    ("m:bfg", "The BFG (2016)", 2016, ["family"], 10, 1),
    ("m:shadows", "What We Do in the Shadows (2014)", 2014, ["comedy"], 10, 1),
    ("m:shadow", "The Shadow (1994)", 1994, ["action"], 10, 1),
    ("m:rock", "The Rock (1996)", 1996, ["action"], 20, 2),
    ("m:escapeny", "Escape from New York (1981)", 1981, ["action"], 10, 1),
    ("m:friday", "Friday (1995)", 1995, ["comedy"], 20, 2),
    ("m:oceans01", "Ocean's Eleven (2001)", 2001, ["crime"], 30, 3),
    ("m:oceans60", "Ocean's 11 (1960)", 1960, ["crime"], 3, 0),
    ("m:click", "Click (2006)", 2006, ["comedy"], 20, 2),
    ("m:drive", "Drive (2011)", 2011, ["crime"], 20, 2),
    ("m:hangover", "The Hangover (2009)", 2009, ["comedy"], 20, 2),
    ("m:hangover2", "The Hangover Part II (2011)", 2011, ["comedy"], 10, 1),
    ("m:hangover3", "The Hangover Part III (2013)", 2013, ["comedy"], 5, 1),
    ("m:alienation", "Alien Nation (1988)", 1988, ["sci-fi"], 10, 1),  # no film of Alien's series
    ("m:toystory2", "Toy Story 2 (1999)", 1999, ["animation"], 10, 1),
    ("m:kingkong33", "King Kong (1933)", 1933, ["adventure"], 5, 0),
    ("m:kingkong05", "King Kong (2005)", 2005, ["adventure"], 10, 1),
    ("m:zombie", "Zombie (1979)", 1979, ["horror"], 3, 0),
    ("m:speed", "Speed (1994)", 1994, ["action"], 30, 3),
    ("m:taken", "Taken (2008)", 2008, ["action"], 20, 2),
    ("m:psycho98", "Psycho (1998)", 1998, ["horror"], 5, 1),
    ("m:revenant", "The Revenant (2015)", 2015, ["drama"], 20, 2),
    ("m:potter1", "Harry Potter and the Philosopher's Stone (2001)", 2001, ["fantasy"], 30, 3),
    ("m:potter2", "Harry Potter and the Chamber of Secrets (2002)", 2002, ["fantasy"], 20, 2),
    ("m:potter3", "Harry Potter and the Prisoner of Azkaban (2004)", 2004, ["fantasy"], 20, 2),
    ("m:brother", "Brother (1997)", 1997, ["crime"], 10, 1),
    ("m:terminator2", "Terminator 2: Judgment Day (1991)", 1991, ["action"], 30, 3),
    ("m:terminator", "The Terminator (1984)", 1984, ["action"], 20, 2),
    ("m:predator", "Predator (1987)", 1987, ["action"], 10, 1),
    ("m:sleepover", "Sleepover (2004)", 2004, ["comedy"], 2, 0),
    ("m:beautiful", "Beautiful (2000)", 2000, ["comedy"], 1, 0),
    ("m:castaway", "Cast Away (2000)", 2000, ["drama"], 80, 2),
    ("m:aliens", "Aliens (1986)", 1986, ["sci-fi", "action"], 30, 3),
    ("m:empire", "The Empire Strikes Back (1980)", 1980, ["sci-fi"], 40, 4),
    ("m:stepbros", "Step Brothers (2008)", 2008, ["comedy"], 20, 2),
    ("m:big", "Big (1988)", 1988, ["comedy"], 20, 2),
    ("m:wolf", "The Wolf of Wall Street (2013)", 2013, ["crime"], 30, 3),
    ("m:deathly1", "Harry Potter and the Deathly Hallows \u2013 Part 1 (2010)", 2010, ["fantasy"], 20, 2),
    ("m:deathly2", "Harry Potter and the Deathly Hallows \u2013 Part 2 (2011)", 2011, ["fantasy"], 20, 2),
    ("m:fastfive", "Fast Five (2011)", 2011, ["action"], 20, 2),
    ("m:billboards", "Three Billboards Outside Ebbing, Missouri (2017)", 2017, ["drama"], 20, 2),
    ("m:everyone", "Everyone Says I Love You (1996)", 1996, ["comedy", "musical"], 30, 2),
    ("m:matrix2", "The Matrix Reloaded (2003)", 2003, ["sci-fi", "action"], 20, 2),
    ("m:matrix3", "The Matrix Revolutions (2003)", 2003, ["sci-fi", "action"], 20, 2),
    ("m:home", "Home (2015)", 2015, ["animation"], 10, 1),
    ("m:homealone", "Home Alone (1990)", 1990, ["comedy", "family"], 30, 3),
    ("m:homeagain", "Home Again (2017)", 2017, ["comedy"], 5, 0),
    ("m:basterds", "Inglourious Basterds (2009)", 2009, ["war"], 90, 8),
    ("m:bastards78", "The Inglorious Bastards (1978)", 1978, ["war"], 15, 0),
    ("m:kane", "Citizen Kane (1941)", 1941, ["drama"], 300, 5),
    ("m:saw", "Saw (2004)", 2004, ["horror"], 20, 3),
    ("m:thor", "Thor (2011)", 2011, ["action"], 20, 2),
    ("m:thor2", "Thor: The Dark World (2013)", 2013, ["action"], 10, 1),
    ("m:hotfuzz", "Hot Fuzz (2007)", 2007, ["comedy"], 20, 2),
    ("m:shaun", "Shaun of the Dead (2004)", 2004, ["comedy", "horror"], 20, 2),
    ("m:sickboy", "Sick Boy (2012)", 2012, ["horror"], 0, 0),
    ("m:gonewind", "Gone with the Wind (1939)", 1939, ["romance"], 20, 2),
    ("m:casino", "Casino (1995)", 1995, ["crime"], 20, 2),
    ("m:royale", "Casino Royale (2006)", 2006, ["action"], 55, 5),
    ("m:scarymovie", "Scary Movie (2000)", 2000, ["comedy"], 60, 5),
    ("m:next2", "Next Friday (2000)", 2000, ["comedy"], 5, 0),
    ("m:barbershop", "Barbershop (2002)", 2002, ["comedy"], 5, 0),
    ("m:wilderpeople", "Hunt for the Wilderpeople (2016)", 2016, ["comedy"], 5, 1),
    ("m:lalaland", "La La Land (2016)", 2016, ["musical"], 50, 5),
    ("m:unforgiven", "Unforgiven (1992)", 1992, ["western"], 20, 2),
    ("m:furyroad", "Mad Max: Fury Road (2015)", 2015, ["action"], 20, 2),
    ("m:bvs", "Batman v Superman: Dawn of Justice (2016)", 2016, ["action"], 20, 2),
    ("m:lesmis", "Les Mis\u00e9rables (2012)", 2012, ["musical"], 20, 2),
    ("m:lesmis98", "Les Mis\u00e9rables (1998)", 1998, ["drama"], 3, 0),
    ("m:moderntimes", "Modern Times (1936)", 1936, ["comedy"], 10, 1),
    ("m:hangover10", "Hangover (2010)", 2010, ["drama"], 15, 0),
    ("m:shining80", "The Shining (1980)", 1980, ["horror"], 30, 3),
    ("m:shining97", "The Shining (1997)", 1997, ["horror"], 1, 0),
    ("m:castaway86", "Castaway (1986)", 1986, ["drama"], 1, 0),
    ("m:trumbo", "Trumbo (2015)", 2015, ["drama"], 1, 0),
    ("m:brazil", "Brazil (1985)", 1985, ["sci-fi"], 20, 1),
    ("m:zodiac", "Zodiac (2007)", 2007, ["crime"], 20, 2),
    ("m:italian", "The Italian (2005)", 2005, ["drama"], 3, 0),
    ("m:holiday", "The Holiday (2006)", 2006, ["romance"], 20, 2),
    ("m:killbill1", "Kill Bill: Volume 1 (2003)", 2003, ["action"], 30, 3),
    ("m:killbill2", "Kill Bill: Volume 2 (2004)", 2004, ["action"], 25, 2),
    ("m:johnwick", "John Wick (2014)", 2014, ["action"], 20, 3),
    ("m:johnwick2", "John Wick: Chapter 2 (2017)", 2017, ["action"], 10, 1),
    ("m:apes", "Planet of the Apes (1968)", 1968, ["sci-fi"], 20, 1),
    ("m:apesrise", "Rise of the Planet of the Apes (2011)", 2011, ["sci-fi"], 15, 1),
    ("m:apesdawn", "Dawn of the Planet of the Apes (2014)", 2014, ["sci-fi"], 12, 1),
    ("m:homecoming", "Spider-Man: Homecoming (2017)", 2017, ["action"], 10, 2),
    ("m:leon", "Léon: The Professional (1994)", 1994, ["crime"], 30, 2),
    ("m:spy", "Spy (2015)", 2015, ["comedy"], 3, 1),
    ("m:chanstrike", "Jackie Chan's First Strike (1996)", 1996, ["action"], 5, 0),
    *(
        (f"m:hitchcock{n}", title, year, ["thriller"], 1, 0)
        for n, (title, year) in enumerate(
            [
                ("Vertigo", 1958),
                ("Rear Window", 1954),
                ("North by Northwest", 1959),
                ("The Birds", 1963),
                ("Rebecca", 1940),
                ("Notorious", 1946),
                ("Rope", 1948),
            ]
        )
    ),
    *(
        (f"m:nolan{n}", title, year, ["thriller"], 1, 1)
        for n, (title, year) in enumerate(
            [
                ("Memento", 2000),
                ("Insomnia", 2002),
                ("Batman Begins", 2005),
                ("The Prestige", 2006),
                ("The Dark Knight", 2008),
                ("Interstellar", 2014),
            ]
        )
    ),
]
PEOPLE = [
    ("p:tarantino", "Quentin Tarantino", "DIRECTED", ["m:pulp"]),
    ("p:nolan", "Christopher Nolan", "DIRECTED", ["m:inception", "m:dunkirk", *(f"m:nolan{n}" for n in range(6))]),
    ("p:carrey", "Jim Carrey", "ACTED_IN", ["m:mask"]),
    ("p:coppola", "Francis Ford Coppola", "DIRECTED", ["m:godfather", "m:godfather2"]),
    ("p:pitt", "Brad Pitt", "ACTED_IN", ["m:butterfly"]),
    ("p:leary", "Denis Leary", "ACTED_IN", ["m:leary"]),
    ("p:capote", "Truman Capote", "WROTE", ["m:coldblood", "m:tiffanys", "m:grassharp"]),
    ("p:deniro", "Robert De Niro", "ACTED_IN", ["m:kingcomedy", "m:goodfellas", "m:taxidriver"]),
    ("p:scorsese", "Martin Scorsese", "DIRECTED", ["m:kingcomedy", "m:goodfellas", "m:taxidriver"]),
    ("p:joelcoen", "Joel Coen", "DIRECTED", ["m:fargo", "m:lebowski"]),
    ("p:ethancoen", "Ethan Coen", "DIRECTED", ["m:fargo", "m:lebowski"]),
    ("p:spielberg", "Steven Spielberg", "DIRECTED", ["m:jaws", "m:raiders", "m:et"]),
    ("p:zombie", "Rob Zombie", "DIRECTED", ["m:halloween07"]),
    ("p:wilder", "Billy Wilder", "DIRECTED", ["m:somelikeit"]),
    ("p:dicaprio", "Leonardo DiCaprio", "ACTED_IN", ["m:inception", "m:revenant"]),
    ("p:radcliffe", "Daniel Radcliffe", "ACTED_IN", ["m:potter1", "m:potter2", "m:potter3"]),
    ("p:finney", "Albert Finney", "ACTED_IN", ["m:orient74"]),
    ("p:branagh", "Kenneth Branagh", "ACTED_IN", ["m:orient17"]),
    ("p:kubrick", "Stanley Kubrick", "DIRECTED", ["m:odyssey", "m:strangelove"]),
    ("p:hitchcock", "Alfred Hitchcock", "DIRECTED", ["m:psycho", *(f"m:hitchcock{n}" for n in range(7))]),
    ("p:swayze", "Patrick Swayze", "ACTED_IN", ["m:ghost"]),
    ("p:williams", "Robin Williams", "ACTED_IN", ["m:jumanji95"]),
    ("p:johnson", "Dwayne Johnson", "ACTED_IN", ["m:jumanji17"]),
    ("p:gosling", "Ryan Gosling", "ACTED_IN", ["m:drive"]),
    ("p:phillips", "Todd Phillips", "DIRECTED", ["m:hangover", "m:hangover2", "m:hangover3"]),
    ("p:scott", "Ridley Scott", "DIRECTED", ["m:alien", "m:covenant"]),
    ("p:hanks", "Tom Hanks", "ACTED_IN", ["m:toystory", "m:toystory2", "m:castaway", "m:big"]),
    ("p:phoenix", "Joaquin Phoenix", "ACTED_IN", ["m:her"]),
    ("p:schwarzenegger", "Arnold Schwarzenegger", "ACTED_IN", ["m:terminator", "m:terminator2", "m:predator"]),
    ("p:jackson", "Samuel L. Jackson", "ACTED_IN", ["m:pulp", "m:ironman", "m:ironman2", "m:infinity"]),
    ("p:downey", "Robert Downey Jr.", "ACTED_IN", ["m:ironman", "m:ironman2", "m:infinity"]),
    ("p:chaplin", "Charles Chaplin", "DIRECTED", ["m:moderntimes"]),
    ("p:icecube", "Ice Cube", "ACTED_IN", ["m:friday", "m:next2", "m:barbershop"]),
    ("p:reeves", "Keanu Reeves", "ACTED_IN", ["m:matrix", "m:matrix2", "m:matrix3"]),
    ("p:hemsworth", "Chris Hemsworth", "ACTED_IN", ["m:thor", "m:thor2"]),
    ("p:wright", "Edgar Wright", "DIRECTED", ["m:hotfuzz", "m:shaun"]),
    ("p:edgar", "Justin Edgar", "DIRECTED", ["m:sickboy"]),
    ("p:stoner", "Sherri Stoner", "WROTE", ["m:sickboy"]),
    ("p:fincher", "David Fincher", "DIRECTED", ["m:zodiac"]),
    ("p:trumbo", "Dalton Trumbo", "WROTE", ["m:spy", "m:zodiac", "m:leon"]),
    ("p:jaffa", "Rick Jaffa", "WROTE", ["m:apesrise", "m:apesdawn"]),
    ("p:besson", "Luc Besson", "DIRECTED", ["m:leon"]),
    ("p:mccarthy", "Melissa McCarthy", "ACTED_IN", ["m:spy"]),
    ("p:chan", "Jackie Chan", "ACTED_IN", ["m:chanstrike"]),
    ("p:kong", "China Kong", "ACTED_IN", ["m:chanstrike"]),
    ("p:collage", "Bill Collage", "WROTE", ["m:spy", "m:chanstrike"]),
    ("p:midler", "Bette Midler", "ACTED_IN", ["m:mary", "m:ghost", "m:friday", "m:click", "m:hangover"]),
]
TAGS = [
    ("sequel", ["m:hangover2"]),
    ("psychological thriller", ["m:lambs"]),
    ("zombies", ["m:zombie"]),
    ("aliens", ["m:alien", "m:aliens"]),
]
PLOTS = {  # as the ReDial catalog gives them
    "m:toystory": "A cowboy doll is profoundly threatened and jealous when a new spaceman figure supplants him as top "
    "toy in a boy's room.",
    "m:toystory2": "When Woody is stolen by a toy collector, Buzz and his friends set out on a rescue mission.",
    "m:castaway": "A FedEx executive undergoes a physical and emotional transformation after crash landing on a "
    "deserted island.",
    "m:big": "After wishing to be made big, a teenage boy wakes the next morning to find himself mysteriously in the "
    "body of an adult.",
}


@pytest.fixture(scope="module")
def typed_parser(session_store: GraphStore) -> EmbeddedParser:
    from graph.schema import clear_database, ensure_schema

    clear_database(session_store)
    ensure_schema(session_store)
    session_store.write(
        """
        UNWIND $movies AS m
        MERGE (i:Item:Movie {id: m.id}) SET i.name = m.name, i.title = m.name, i.year = m.year
        WITH i, m
        CALL (i, m) {
            UNWIND m.genres AS g MERGE (genre:Genre {id: g}) SET genre.name = g MERGE (i)-[:IN_GENRE]->(genre)
        }
        CALL (i, m) {
            UNWIND range(1, m.ratings) AS n MERGE (u:User {id: 'ml:' + n}) MERGE (u)-[:RATED {rating: 4}]->(i)
        }
        CALL (i, m) {
            UNWIND range(1, m.likes) AS n MERGE (u:User {id: 'seeker:' + n})
            MERGE (u)-[:PREFERS {polarity: 'like', source: 'redial'}]->(i)
        }
        """,
        movies=[dict(zip(("id", "name", "year", "genres", "ratings", "likes"), m, strict=True)) for m in MOVIES],
    )
    for person_id, name, role, movies in PEOPLE:
        session_store.write(
            "MERGE (p:Person {id: $id}) SET p.name = $name WITH p UNWIND $movies AS m MATCH (i:Item {id: m}) "
            "CALL (p, i) { WITH p, i WHERE $role = 'DIRECTED' MERGE (p)-[:DIRECTED]->(i) } "
            "CALL (p, i) { WITH p, i WHERE $role = 'ACTED_IN' MERGE (p)-[:ACTED_IN]->(i) } "
            "CALL (p, i) { WITH p, i WHERE $role = 'WROTE' MERGE (p)-[:WROTE]->(i) }",
            id=person_id,
            name=name,
            role=role,
            movies=movies,
        )
    session_store.write(
        "UNWIND $tags AS t MERGE (tag:Tag {id: t.name}) SET tag.name = t.name "
        "WITH tag, t UNWIND t.movies AS m MATCH (i:Item {id: m}) MERGE (i)-[:TAGGED {count: 3}]->(tag)",
        tags=[{"name": name, "movies": movies} for name, movies in TAGS],
    )
    session_store.write(
        "UNWIND $plots AS p MATCH (i:Item {id: p.id}) SET i.plot = p.plot",
        plots=[{"id": item_id, "plot": plot} for item_id, plot in PLOTS.items()],
    )
    session_store.write(  # as MovieLens titles it
        "MATCH (i:Item {id: 'm:potter1'}) SET i.aliases = [$alias]",
        alias="Harry Potter and the Sorcerer's Stone (a.k.a. Harry Potter and the Philosopher's Stone) (2001)",
    )
    session_store.write("CALL db.awaitIndexes(60)")
    return EmbeddedParser(Grounder(session_store, SentenceEncoder()))


def understood(parser: EmbeddedParser, text: str) -> list[tuple[str, Polarity]]:
    return [(m.entity.node_id, m.polarity) for m in parser.parse(text).mentions]


LIKE, DISLIKE = Polarity.LIKE, Polarity.DISLIKE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the godfather", [("m:godfather", LIKE)]),
        ("Jaws", [("m:jaws", LIKE)]),
        ("Rocky", [("m:rocky", LIKE)]),
        ("Amelie", [("m:amelie", LIKE)]),
        ("my kids loved frozen", [("m:frozen", LIKE)]),
        ("i loved the matrix and inception", [("m:matrix", LIKE), ("m:inception", LIKE)]),
        ("honestly i hated avatar, way too long", [("m:avatar", DISLIKE)]),
        ("more tarantino please", [("p:tarantino", LIKE)]),
        ("Inception and other mind-bending movies", [("m:inception", LIKE)]),
        ("anything by nolan?", [("p:nolan", LIKE)]),
        ("loved jaws and alien", [("m:jaws", LIKE), ("m:alien", LIKE)]),
        ("I loved The Jungle Book", [("m:jungle16", LIKE)]),  # the one people talk about, not the most rated
        ("i loved the matirx", [("m:matrix", LIKE)]),  # one typo
        ("what about matrix", [("m:matrix", LIKE)]),  # no article
    ],
)
def test_what_people_type_is_understood(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


def test_typos_and_short_titles(typed_parser: EmbeddedParser) -> None:
    carrey = typed_parser.parse("any 90s comedies with jim carey?")
    assert ("p:carrey", "Person") in {(m.entity.node_id, m.entity.label) for m in carrey.mentions}
    assert (carrey.constraints.year_min, carrey.constraints.year_max) == (1990, 1999)
    lotr = typed_parser.parse("something like lord of the rings")
    assert lotr.mentions[0].entity.node_id == "m:lotr"  # the famous one, the 1978 film is an alternative
    assert "m:lotr78" in {e.node_id for e in lotr.mentions[0].alternatives}
    assert understood(typed_parser, "finding nemo") == []  # nothing of that name: nothing made up


def test_everyday_words_stay_words(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "can you help me find something") == []
    assert understood(typed_parser, "thanks for the help") == []
    assert understood(typed_parser, "Have you seen The Help?") == [("m:help", LIKE)]


def test_relative_years_follow_the_named_film(typed_parser: EmbeddedParser) -> None:
    newer = typed_parser.parse("something like pulp fiction but newer")
    assert newer.intent is Intent.RECOMMEND and [m.entity.node_id for m in newer.mentions] == ["m:pulp"]
    assert (newer.constraints.year_min, newer.constraints.year_max) == (1995, None)
    older = typed_parser.parse("older than inception")
    assert older.constraints.year_max == 2009
    # a comparison picks no film of a name ("the shining", not the newer one) and compares with the films of its
    # sentence, or of one before it; "the newer ghostbusters" compares nothing
    shining = typed_parser.parse("something newer than the shining but just as scary?")
    assert [m.entity.node_id for m in shining.mentions][:1] == ["m:shining80"]
    assert shining.constraints.year_min == 1981
    assert typed_parser.parse("I loved Fargo. Anything newer?").constraints.year_min == 1997
    older_films = typed_parser.parse("spielbergs older stuff. jaws, raiders, that era").constraints
    assert (older_films.year_min, older_films.year_max) == (None, None)
    the_newer = typed_parser.parse("the newer ghostbusters")
    assert [m.entity.node_id for m in the_newer.mentions] == ["m:ghostbusters16"]
    assert (the_newer.constraints.year_min, the_newer.constraints.year_max) == (None, None)
    recent = typed_parser.parse("something recent")  # the catalog's last years, not the calendar's
    assert recent.constraints.year_min == 2018 - 4  # its newest film: Avengers: Infinity War (2018)


def test_at_all_is_an_intensifier_not_the_offer(typed_parser: EmbeddedParser) -> None:
    offered = [GroundedEntity("Item", "m:jaws", "Jaws (1975)"), GroundedEntity("Item", "m:alien", "Alien (1979)")]
    parse = react(typed_parser.parse("not into horror at all"), offered)
    assert [(m.entity.node_id, m.polarity) for m in parse.mentions] == [("horror", DISLIKE)]
    assert parse.constraints.genres_excluded == ("horror",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("have you seen the princess bride", ["m:bride"]),  # lower case, after a verb of watching
        ("the butterfly effect is one of my favorites", ["m:butterfly"]),  # lower case, before "is"
        ("i like comedies like the mask and the godfather", ["m:mask", "m:godfather"]),
        ("it was a big hit with my whole family", []),  # everyday words, not My Family (1995)
        ("i loved get out", ["m:getout"]),  # a title of function words, right after a verb of liking
        ("i need to get out more", []),
        ("can you help me with something for date night", []),
        ("check out dunkirk if you haven't already", ["m:dunkirk"]),  # one word chat never uses plainly
        ("try dunkirk", ["m:dunkirk"]),
        ("I watched the help last night", ["m:help"]),  # everyday words, where only a film is watched
    ],
)
def test_the_learned_linker_reads_lower_case_titles(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert typed_parser.grounder.linker is not None  # the packaged one
    assert [node for node, _ in understood(typed_parser, text) if node.startswith("m:")] == expected


def test_a_film_to_be_like_is_no_description_of_a_genre(typed_parser: EmbeddedParser) -> None:
    for text in ("something like the godfather", "anything like jaws?", "something like the dark night please"):
        parse = typed_parser.parse(text)
        assert parse.constraints.genres_required == () and all(m.entity.label == "Item" for m in parse.mentions)
    assert [m.entity.node_id for m in typed_parser.parse("something like the dark night").mentions] == ["m:nolan4"]
    assert typed_parser.parse("something scary").constraints.genres_required == ("horror",)


def test_typos_anywhere_in_a_name(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "Dunkrk was intense") == [("m:dunkirk", LIKE)]  # first word, written as a name
    assert understood(typed_parser, "The Godfater Part II") == [("m:godfather2", LIKE)]
    assert understood(typed_parser, "loved Pulp Fictoin") == [("m:pulp", LIKE)]
    assert understood(typed_parser, "anything by Nolen?") == [("p:nolan", LIKE)]  # a surname: five letters do


def test_the_word_nearest_a_shared_title_says_which_film(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "i loved the new jungle book") == [("m:jungle16", LIKE)]
    assert understood(typed_parser, "the original jungle book was better") == [("m:jungle94", LIKE)]
    # both cues in one message: each name takes the one beside it; "not the new one" says which, it names no other
    assert understood(typed_parser, "I loved the original jungle book but not the new one") == [("m:jungle94", LIKE)]
    assert understood(typed_parser, "the original jungle book was better than the new one") == [
        ("m:jungle94", LIKE),
        ("m:jungle16", LIKE),
    ]


def test_anything_about_a_title_asks_about_it_not_for_a_genre(typed_parser: EmbeddedParser) -> None:
    for text, film in (
        ("can you tell me anything about the matrix", "m:matrix"),
        ("something like the original jungle book", "m:jungle94"),
    ):
        parse = typed_parser.parse(text)
        assert [m.entity.node_id for m in parse.mentions] == [film] and parse.constraints.genres_required == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i loved spiderman 2", [("m:spiderman2", LIKE)]),  # the hyphen dropped
        ("godfather 2", [("m:godfather2", LIKE)]),  # a sequel number in digits
        ("i loved the godfather part 2", [("m:godfather2", LIKE)]),
        ("lotr", [("m:lotr", LIKE)]),  # a popular title's initials
        ("brad pit movies", [("p:pitt", LIKE)]),  # a typo that makes another everyday word, in a person's name
    ],
)
def test_other_spellings_people_use(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anything like shawshank", [("m:shawshank", LIKE)]),  # a word of the title no dictionary has
        ("i loved lebowski", [("m:lebowski", LIKE)]),
        ("i loved starwars", [("m:starwars", LIKE)]),  # a title's words run together
        ("ghost busters", [("m:ghostbusters", LIKE)]),  # its one word split in two
        ("have you seen sematary", [("m:sematary", LIKE)]),  # of a film only a dozen people rated
        ("i like pineapple on my pizza", []),  # an English word of a title is no name of it
        ("the redemption of a villain", []),
    ],
)
def test_a_distinctive_word_or_a_joined_title_names_the_film(
    typed_parser: EmbeddedParser, text: str, expected: list
) -> None:
    assert understood(typed_parser, text) == expected


def test_a_misspelt_genre_in_lower_case_is_the_genre(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "i want a comdey") == [("comedy", LIKE)]
    assert understood(typed_parser, "i like thriler movies") == [("thriller", LIKE)]
    assert understood(typed_parser, "i hate horrer") == [("horror", DISLIKE)]


def test_a_surname_after_by_is_the_person_not_the_film_of_that_name(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "anything by capote?") == [("p:capote", LIKE)]
    assert understood(typed_parser, "i loved capote") == [("m:capote", LIKE)]  # after a verb of liking: the film
    assert understood(typed_parser, "something by capotte") == [("p:capote", LIKE)]  # misspelt, in lower case
    assert understood(typed_parser, "i loved capotte") == [("m:capote", LIKE)]


def test_an_english_word_is_no_typo_of_a_one_word_title(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "something gory") == []  # not Gordy (1995)
    assert understood(typed_parser, "i loved Gordy") == [("m:gordy", LIKE)]


def test_romcoms_are_romances_and_comedies(typed_parser: EmbeddedParser) -> None:
    assert set(typed_parser.parse("i hate romcoms").constraints.genres_excluded) == {"romance", "comedy"}
    assert set(typed_parser.parse("i want a romcom").constraints.genres_required) == {"romance", "comedy"}


def test_asking_for_a_person_asks_for_no_genre(typed_parser: EmbeddedParser) -> None:
    # "something starring" alone read as "a movie for kids" (cosine 0.55 to the children genre's description).
    for text in (
        "i want something starring jim carrey",
        "something directed by christopher nolan",
        "anything featuring jim carrey?",
        "something written by quentin tarantino",
    ):
        parse = typed_parser.parse(text)
        assert [m.entity.label for m in parse.mentions] == ["Person"], text
        assert parse.constraints.genres_required == (), text
    assert typed_parser.parse("something funny with jim carrey").constraints.genres_required == ("comedy",)
    # A person's full name before a film whose title it only shortens ("Denis Leary: No Cure for Cancer").
    assert understood(typed_parser, "any movies with denis leary?") == [("p:leary", LIKE)]
    assert understood(typed_parser, "i loved denis leary: no cure for cancer") == [("m:leary", LIKE)]


def test_an_article_starts_no_shorter_title_than_the_words_after_it(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "my son loves the toy story series") == [("m:toystory", LIKE)]  # not The Toy
    assert understood(typed_parser, "i loved the toy") == [("m:toy", LIKE)]


def test_an_era_word_picks_among_films_of_the_full_name_not_a_sequel(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "you should also check out the new iron man") == [("m:ironman", LIKE)]
    assert understood(typed_parser, "i loved the new jungle book") == [("m:jungle16", LIKE)]


def test_initials_written_with_dots(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "i loved e.t. the extra-terrestrial") == [("m:et", LIKE)]
    assert understood(typed_parser, "et the extra terrestrial") == [("m:et", LIKE)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("infinity war", [("m:infinity", LIKE)]),  # the part after the franchise's name
        ("i loved eternal sunshine", [("m:sunshine", LIKE)]),  # the first words of a long title
        ("whats a good movie like silence of the lamb", [("m:lambs", LIKE)]),  # a typo inside a title
        ("momento was so confusing but good", [("m:nolan0", LIKE)]),  # found by its words of note
        ("ratatoullie", [("m:ratatouille", LIKE)]),  # two typos in a long word
        ("what about raiders of the lost arc", [("m:raiders", LIKE)]),  # a typo in a three-letter word
        ("I loved Up", [("m:up", LIKE)]),  # a short everyday word written as a name where a title stands
        ("i grew up in the city", []),
        ("what's up, anything like it?", []),
        ("those are my faves", []),  # a lower-case word is no typo of an obscure film ("Faces")
        ("the kind of comedy i like", [("comedy", LIKE)]),  # no "The King of Comedy" over a genre
        ("anything else?", []),  # a request, no obscure "Anything Else"
        ("i want a civil war movie", [("war", LIKE)]),  # a rejected title hides no genre inside it
        ("robert deniro movies", [("p:deniro", LIKE)]),  # a particle written together
        ("scorcese movies", [("p:scorsese", LIKE)]),  # a misspelt surname before "movies"
        ("Nolan's older stuff is the best", [("p:nolan", LIKE)]),  # a possessive
        ("what about comedys", [("comedy", LIKE)]),  # a genre's plural misspelt
        # a misspelt surname alone in lower case, of someone with many films; a possessive without its apostrophe
        ("nollan is my fav director", [("p:nolan", LIKE)]),
        ("nollans older stuff is the best", [("p:nolan", LIKE)]),
        ("it was milder than i thought", []),  # an English word, inflected: no misspelt Midler
        # a misspelt title listed beside a film
        ("loved predator or termnator", [("m:predator", LIKE), ("m:terminator", LIKE)]),
        # a name without its middle initial or its "Jr."
        ("samuel jackson movies", [("p:jackson", LIKE)]),
        ("anything with robert downey", [("p:downey", LIKE)]),
        ("loved wolf of wallstreet", [("m:wolf", LIKE)]),  # two words of a title run together
        ("honestly step bros is the funniest movie ever", [("m:stepbros", LIKE)]),  # texted "bros"
        # the part after a franchise's name of another title the film has (the US one)
        ("we've watched sorcerers stone n chamber of secrets", [("m:potter1", LIKE), ("m:potter2", LIKE)]),
        # every word no name has is looked up, not only the first ("gimme")
        ("gimme smth like the princess bride or ratatoullie", [("m:bride", LIKE), ("m:ratatouille", LIKE)]),
    ],
)
def test_how_people_shorten_and_misspell(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't stand Brad Pitt", [("p:pitt", DISLIKE)]),
        ("horror isn't really my thing", [("horror", DISLIKE)]),
        ("i'm open to anything except horror and comedies", [("horror", DISLIKE), ("comedy", DISLIKE)]),
        ("I fell asleep during Inception", [("m:inception", DISLIKE)]),
        ("i didn't get the hype around avatar", [("m:avatar", DISLIKE)]),
        ("horror is my thing", [("horror", LIKE)]),
        ("I'm not big on horror but I loved Up", [("horror", DISLIKE), ("m:up", LIKE)]),
        ("Did you like Inception? I thought it was boring", [("m:inception", DISLIKE)]),  # said of it after
        ("i watched jaws but it was boring", [("m:jaws", DISLIKE)]),
        ("have you seen jaws? my wife hated it", [("m:jaws", LIKE)]),  # someone else's taste
        ("i hated avatar, something with brad pitt", [("m:avatar", DISLIKE), ("p:pitt", LIKE)]),  # a phrase asks
        ("I hated Inception, The Matrix was good", [("m:inception", DISLIKE), ("m:matrix", LIKE)]),
        ("I didn't think Jaws was great", [("m:jaws", DISLIKE)]),  # a negator with a name between it and its cue
        ("avatar was mid", [("m:avatar", DISLIKE)]),  # texting slang
        ("i couldnt finish avatar", [("m:avatar", DISLIKE)]),
        ("a slow burn thriller please", [("thriller", LIKE)]),  # a kind of film, no complaint
        ("jaws was a snooze", [("m:jaws", DISLIKE)]),
    ],
)
def test_sayings_that_tell_a_polarity(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


def test_a_film_that_made_someone_cry_asks_for_no_genre(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "Frozen made me cry") == [("m:frozen", LIKE)]
    assert understood(typed_parser, "something that makes me cry") == [("drama", LIKE)]


def test_a_series_named_before_movies_or_a_marathon(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "I've seen all the Star Wars movies five times") == [("m:starwars", LIKE)]
    assert understood(typed_parser, "we're doing a Lord of the Rings marathon") == [("m:lotr", LIKE)]


def test_siblings_are_each_of_them(typed_parser: EmbeddedParser) -> None:
    both = {("p:joelcoen", LIKE), ("p:ethancoen", LIKE)}
    assert set(understood(typed_parser, "anything by the Coen brothers?")) == both
    assert set(understood(typed_parser, "coen bros movies pls")) == both
    assert understood(typed_parser, "it's a Cohen Bros. production") == []  # no typo is read as siblings


def test_scary_is_horror_and_a_question_about_a_film_asks_for_no_genre(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "a scary movie please") == [("horror", LIKE)]
    assert understood(typed_parser, "smth scary") == [("horror", LIKE)]
    assert understood(typed_parser, "is jaws still scary?") == [("m:jaws", LIKE)]
    assert ("horror", LIKE) in understood(typed_parser, "is there anything like alien that's scary?")


def test_a_tag_named_after_a_kind_of_a_genre_is_the_genre_too(typed_parser: EmbeddedParser) -> None:
    found = understood(typed_parser, "I love a good psychological thriller")
    assert ("thriller", LIKE) in found and ("psychological thriller", LIKE) in found


def test_the_original_is_the_oldest_film_people_know_of_that_name(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "The original Scream is a classic.") == [("m:scream96", LIKE)]
    assert understood(typed_parser, "the original jungle book") == [("m:jungle94", LIKE)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is there something funny like it?", [("comedy", LIKE)]),  # no There's Something About Mary
        ("i want smth funny", [("comedy", LIKE)]),
        ("whats another good mob movie", [("crime", LIKE)]),
        ("I love Pixar films, especially Toy Story and Up.", [("m:toystory", LIKE), ("m:up", LIKE)]),
        ("i loved theres something about mary", [("m:mary", LIKE)]),
        ("no more jaws sequels please", [("m:jaws", DISLIKE)]),
        ("I loved Jaws and Up Close", [("m:jaws", LIKE)]),  # a capitalised word that goes on is no short title
        ("anything you can recommend?", []),  # asks for a list, describes no genre
        ("something for a sleepover, nothing gory", []),  # a word that is a title, not typed wrong
        ("I've taken a long break from movies", []),  # a verb after "I've"
        ("something from the mid 90s", []),  # a time, no genre ("history")
        # a word that is a title and a kind of film: the kind after "with", the film where a film is watched
        ("i like sci fi but nothing w aliens pls", [("sci-fi", LIKE), ("aliens", DISLIKE)]),
        ("i loved aliens", [("m:aliens", LIKE)]),
        ("loved jaws, such a beatiful film", [("m:jaws", LIKE)]),  # an English word misspelt, no obscure title
    ],
)
def test_everyday_phrases_people_type(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an everyday word listed among titles is one too, unless more words go on with it
        ("walle and up made me cry", ["m:walle", "m:up"]),
        ("i rly liked eternal sunshine and her, smth weird", ["m:sunshine", "m:her"]),
        ("jaws, up and inside out", ["m:jaws", "m:up", "m:insideout"]),
        ("i watched jaws with my sister and her kids", ["m:jaws"]),
        ("i loved jaws and it was great", ["m:jaws"]),
        ("dr strangelove and 2001", ["m:strangelove", "m:odyssey"]),
        # a name the vocabulary knows but no dictionary has, before "films"; a name people type apart
        ("any spielberg films?", ["p:spielberg"]),
        ("is di caprio in inception", ["p:dicaprio", "m:inception"]),
        ("could you recommend an old Hitchcock film?", ["p:hitchcock"]),
        ("Spielberg's older stuff is the best. E.T. especially", ["p:spielberg", "m:et"]),
        # a described genre in a part of the message that names none; everyday names of genres
        ("My husband wants action, I want something funny.", ["action", "comedy"]),
        ("something like jaws but funnier", ["m:jaws", "comedy"]),
        ("I need a good cry tonight", ["drama"]),
        # each node once; a year said beside a shared name; a bare year is no film
        ("Not Jim Carrey please. Anything but Jim Carrey.", ["p:carrey"]),
        ("ugh, ghostbusters, the 2016 one", ["m:ghostbusters16"]),
        ("movies from 2016", []),
        # of films of one name, the one a person the message names is in
        ("loved Murder on the Orient Express with Albert Finney", ["m:orient74", "p:finney"]),
        ("loved Murder on the Orient Express with Kenneth Branagh", ["m:orient17", "p:branagh"]),
        ("I liked the Rob Zombie Halloween", ["p:zombie", "m:halloween07"]),
        ("I liked the original Halloween but the Rob Zombie remake was awful", ["m:halloween78", "p:zombie"]),
        # a writer who capitalises names means no film by a plain word in lower case
        ("I just finished Whiplash. What should I watch next?", ["m:whiplash"]),
        ("Not feeling anything too heavy tonight. Maybe something light and funny", ["comedy"]),
    ],
)
def test_lists_names_and_genres_as_people_write_them(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert [m.entity.node_id for m in typed_parser.parse(text).mentions] == expected


def test_a_genre_not_wanted_and_one_described_after_it(typed_parser: EmbeddedParser) -> None:
    assert understood(typed_parser, "not into horror at all just want smth funny") == [
        ("horror", DISLIKE),
        ("comedy", LIKE),
    ]
    assert understood(typed_parser, "not feeling horror tonight") == [("horror", DISLIKE)]
    assert understood(typed_parser, "Not in the mood for anything scary. Maybe a comedy?") == [
        ("horror", DISLIKE),
        ("comedy", LIKE),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "the first one" / "the original" after a sequel or a remake
        ("iron man 2 was meh, the first one is way better", [("m:ironman2", DISLIKE), ("m:ironman", LIKE)]),
        (
            "Ghostbusters, the 2016 one, was bad. The original is fine.",
            [("m:ghostbusters16", DISLIKE), ("m:ghostbusters", LIKE)],
        ),
        ("I loved Jaws, the first one was great", [("m:jaws", LIKE)]),  # no series, nothing older of that name
        # no name runs across a full stop after a word
        (
            "Loved the original Star Wars. The Last Jedi though... no thanks.",
            [("m:starwars", LIKE), ("m:lastjedi", DISLIKE)],
        ),
        ("I loved Dr. Strangelove", [("m:strangelove", LIKE)]),
        # a film that makes one cry is drama, asked for; one that made someone cry is how a film was
        ("I need more romance movies that make you cry", [("romance", LIKE), ("drama", LIKE)]),
        ("I loved Up, it made me cry", [("m:up", LIKE)]),
        # a name of a film and a person, listed beside a person; a surname before a verb of making films
        ("I've exhausted Hitchcock and Billy Wilder", [("p:hitchcock", LIKE), ("p:wilder", LIKE)]),
        ("did nolan direct memento", [("p:nolan", LIKE), ("m:nolan0", LIKE)]),
        # a capitalised word right after a verb of liking, however few people talk about the film
        ("I loved Hereditary", [("m:hereditary", LIKE)]),
        ("not feeling a doc tonight", [("documentary", DISLIKE)]),
    ],
)
def test_what_a_later_message_refers_to(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a pronoun or a particle where a subject or a film stands is the film of that name
        ("Her was beautiful.", [("m:her", LIKE)]),
        ("up made me cry like a baby", [("m:up", LIKE)]),
        ("just watched the new it with my brother", [("m:it", LIKE)]),
        ("its fairly new it did great", []),
        ("it was boring", []),
        # a lower-case writer's English word right after a verb of watching or liking, ending its phrase
        ("hated hereditary way too slow", [("m:hereditary", DISLIKE)]),
        ("i loved everything about it", []),
        # the question word is what is watched: "next" is no film
        ("just saw whiplash. what should i watch next", [("m:whiplash", LIKE)]),
        # "family" is a genre only as a kind of film; a slasher is horror
        ("the whole family loved it", []),
        ("a family movie for friday night", [("family", LIKE)]),
        ("something fun and family-friendly", [("family", LIKE)]),
        ("any classic slashers?", [("horror", LIKE)]),
        ("nothing w the rock pls", [("p:johnson", DISLIKE)]),
        # a day is no film after a word that dates something; a generic wish describes no children's film
        ("need smth scary for friday", [("horror", LIKE)]),
        ("loved friday", [("m:friday", LIKE)]),
        # a name alone, misspelt; a surname before a genre; "the new one" after a film of a shared title
        ("kubrik", [("p:kubrick", LIKE)]),
        ("any hitchcock thrillers", [("p:hitchcock", LIKE), ("thriller", LIKE)]),
        ("oceans 11 kinda vibe", [("m:oceans01", LIKE)]),
        # an everyday word beside an article is no typo of a name: "the big" is no "The BFG"
        ("the one with the big shootout", []),
        # a pronoun's or a particle's title said alone, as the message or a sentence; never "Up to you"
        ("Up. Cried through the whole first ten minutes.", [("m:up", LIKE)]),
        ("her", [("m:her", LIKE)]),
        ("Up to you!", []),
        # a verb after a negated auxiliary, a noun after "my" are no films; a film's name where one stands is
        ("it didn't click for me", []),
        ("loved click", [("m:click", LIKE)]),
        ("no romance please, my brother is watching with me.", [("romance", DISLIKE)]),
        # a person's fan, or not; a misspelt name with its possessive
        ("not really a spielberg person", [("p:spielberg", DISLIKE)]),
        ("whats schwarzeneger's best movie?", [("p:schwarzenegger", LIKE)]),
        # greetings and texted words that are also titles
        ("Good morning!", []),
        ("pls rec a thriller", [("thriller", LIKE)]),
        ("zombie movies", []),  # a kind of film (people tag films "zombies"), not Rob Zombie's
        ("loved shawshenk", [("m:shawshank", LIKE)]),  # a long misspelt title, where a title stands
        # a verb where one is wanted, had, or said of oneself; a name the public calls someone by
        ("I need to speed this up, I only have an hour", []),
        ("my lil bro has taken over the tv", []),
        ("It's freezing out and I'm frozen solid.", []),
        ("i have seen taken", [("m:taken", LIKE)]),
        ("Leo finally won his Oscar for The Revenant.", [("p:dicaprio", LIKE), ("m:revenant", LIKE)]),
    ],
)
def test_everyday_words_where_a_title_stands(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name of a film and of a person is the person when the other films named are theirs
        ("love hitchcock, seen psycho and vertigo", ["p:hitchcock", "m:psycho", "m:hitchcock0"]),
        ("psycho, the hitchcock one", ["m:psycho", "p:hitchcock"]),
        # someone who made or played in the films named, by surname however typed
        (
            "scorcese is my fav director, seen goodfellas and taxi driver",
            ["p:scorsese", "m:goodfellas", "m:taxidriver"],
        ),
        ("tarantino and scorcese are my favs", ["p:tarantino", "p:scorsese"]),
        # a film the rules did not take, made with the person named "with" it or watched with them named later
        ("my mom asked for ghost, the one w patrick swayze", ["m:ghost", "p:swayze"]),
        ("whos in drive? the one w ryan gosling", ["m:drive", "p:gosling"]),
        ("what do u think of her? the joaquin phoenix one", ["m:her", "p:phoenix"]),
        ("jumanji and hook... we love robin williams in our house", ["m:jumanji95", "p:williams"]),
        ("jumanji was fun", ["m:jumanji17"]),
        # a series' film by its number or its subtitle beside the series
        ("godfather and godfather 2 are perfect, part 3 not so much", ["m:godfather", "m:godfather2", "m:godfather3"]),
        ("loved alien but covenant was so much worse", ["m:alien", "m:covenant"]),
        # titles as people shorten and text them
        ("the kids loved kubo", ["m:kubo"]),
        ("the kids loved how to train ur dragon", ["m:dragon"]),
        ("tucker and dale was hilarious", ["m:tucker"]),
        ("raiders of the lost ark, et and jaws", ["m:raiders", "m:et", "m:jaws"]),
        ("loved what we do in the shadow", ["m:shadows"]),
        ("escape from ny was fun", ["m:escapeny"]),
        ("i liked the old jumanji way more than the new one", ["m:jumanji95", "m:jumanji17"]),
        # a name the public calls someone by, beside a film of that name
        ("is there a new jumanji w the rock", ["m:jumanji17", "p:johnson"]),
        ("loved the rock", ["m:rock"]),
    ],
)
def test_films_and_people_said_of_each_other(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert [m.entity.node_id for m in typed_parser.parse(text).mentions] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a series' films by their place: in place of the film named, or after it
        ("whats the 2nd godfather like", [("m:godfather2", LIKE)]),
        (
            "We just finished the Toy Story movies. The second one is so underrated!",
            [("m:toystory", LIKE), ("m:toystory2", LIKE)],
        ),
        # "the sequels": every later film of the series, its people's (never "Alien Nation")
        (
            "The Hangover was funny, but the sequels were just lazy.",
            [("m:hangover", LIKE), ("m:hangover2", DISLIKE), ("m:hangover3", DISLIKE)],
        ),
        ("loved alien, the sequels not so much", [("m:alien", LIKE), ("m:covenant", DISLIKE)]),
        # a film of a shared title by its year, before the title or after it
        ("The 2007 Halloween was awful", [("m:halloween07", DISLIKE)]),
        (
            "I'd like the 1960 Psycho, not the 1998 shot-for-shot remake. That one was pointless.",
            [("m:psycho", LIKE), ("m:psycho98", DISLIKE)],
        ),
        # a series' name beside a film of it speaks of the series; "the first" one is its first film
        ("Prisoner of Azkaban is the best Harry Potter by far", [("m:potter3", LIKE)]),
        ("the third harry potter is the best", [("m:potter3", LIKE)]),
        ("the 3rd harry poter is my fav", [("m:potter3", LIKE)]),  # the series' name misspelt
        ("toy story 2 is even better than the 1st one", [("m:toystory2", LIKE), ("m:toystory", LIKE)]),
        ("deathly hallows pt 2 had the best ending", [("m:deathly2", LIKE)]),  # the part said right after
        ("harry potter 3 is my fav one", [("m:potter3", LIKE)]),  # a number after a series whose titles hold none
        ("i watched jaws 3 times", [("m:jaws", LIKE)]),  # a count, no place
        ("The Empire Strikes Back is the best Star Wars movie.", [("m:empire", LIKE)]),  # the series, not its first
        (
            "The 2005 King Kong is way too long. I prefer the 1933 original.",
            [("m:kingkong05", DISLIKE), ("m:kingkong33", LIKE)],
        ),
    ],
)
def test_films_of_a_series_by_place_and_of_a_title_by_year(
    typed_parser: EmbeddedParser, text: str, expected: list
) -> None:
    assert understood(typed_parser, text) == expected


def test_a_generic_wish_describes_no_childrens_film(typed_parser: EmbeddedParser) -> None:
    labels = {m.entity.node_id for m in typed_parser.parse("something to watch with my teenage son").mentions}
    assert "children" not in labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a film told by its story and someone in it: the one of theirs whose plot the story is like
        ("whats the one with tom hanks where a kid wakes up as a grownup", [("m:big", LIKE), ("p:hanks", LIKE)]),
        ("that movie w tom hanks stranded on the island, loved it", [("m:castaway", LIKE), ("p:hanks", LIKE)]),
        ("the one with tom hanks", [("p:hanks", LIKE)]),  # no story: the person alone
        ("a movie about zombies", [("zombies", LIKE)]),  # no one in it: a kind of film, no story
    ],
)
def test_a_film_told_by_its_story(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected


def test_an_everyday_surname_needs_its_cue_right_before_it() -> None:
    # "a movie with chase" may be Chevy Chase; "a movie with car chases", "with big battles" name no one
    assert Grounder._surname_confidence("chase", True, False, frozenset({"movie", "with"}), "with", "", False) > 0
    assert Grounder._surname_confidence("chase", True, False, frozenset({"with", "car"}), "car", "", False) == 0
    assert Grounder._surname_confidence("battles", True, False, frozenset({"with"}), "big", "", True) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a number a title spells out, typed in digits
        ("fast 5 is the best one in the whole franchise", [("m:fastfive", LIKE)]),
        (
            "i like dark comedies like fargo or 3 billboards",
            [("comedy", LIKE), ("m:fargo", LIKE), ("m:billboards", LIKE)],
        ),
        # a clause is no title cut short: "everyone says" is no Everyone Says I Love You
        ("is pulp fiction as good as everyone says", [("m:pulp", LIKE)]),
        # what the public calls someone, in lower case
        ("did u like the revenant? thought leo was amazing in it", [("m:revenant", LIKE), ("p:dicaprio", LIKE)]),
        # a first name of someone more known is no one's surname: no Justin Edgar
        ("big fan of edgar write, hot fuzz is one of the funniest ever", [("m:hotfuzz", LIKE)]),
        # a word before a genre tells its kind: no Sherri Stoner
        ("some stoner comedies pls", [("comedy", LIKE)]),
        # "funny" before a film noun, "wanna laugh": comedy; never a judgment of a film ("the mask was funny")
        ("even a funny one like the mask would work", [("comedy", LIKE), ("m:mask", LIKE)]),
        ("honestly just wanna laugh a bit tonight", [("comedy", LIKE)]),
        ("the mask was funny", [("m:mask", LIKE)]),
        ("kids movies", [("family", LIKE)]),
        # a verb's past form where a subject stands is the film; "too much" is a complaint
        ("i like scary movies but saw was too much", [("horror", LIKE), ("m:saw", DISLIKE)]),
        # the sequels said right after their first film (misspelt too), never "one of the few sequels"
        ("didnt like the matrix sequals tho", [("m:matrix2", DISLIKE), ("m:matrix3", DISLIKE)]),
        ("the matrix sequals were a letdown", [("m:matrix2", DISLIKE), ("m:matrix3", DISLIKE)]),  # no tag "sequel"
        ("toy story 2 is one of the few sequels that are better", [("m:toystory2", LIKE)]),
        # the word a sequel's title adds names it beside its first film, made by the same people
        ("i liked the matrix but reloaded was terrible", [("m:matrix", LIKE), ("m:matrix2", DISLIKE)]),
        ("my mom wants a christmas movie that isnt home alone again", [("m:homealone", LIKE)]),
        # a series' name right before the rest of a film's title is that film alone
        ("thor dark world was meh", [("m:thor2", DISLIKE)]),
        # a famous title misspelt into another film's title or into everyday words
        ("ok so i just watched inglorious bastards, what else is like it", [("m:basterds", LIKE)]),
        ("the inglorious bastards 1978", [("m:bastards78", LIKE)]),
        ("is citizen cane boring?", [("m:kane", DISLIKE)]),
        ("loved casino royal", [("m:royale", LIKE)]),
        ("i like scary movies but not gore", [("horror", LIKE)]),  # no Scary Movie: "movies" is as typed
        # "w" for "with" in a title, a name typed as one word
        ("gone w the wind is way too long for me", [("m:gonewind", DISLIKE)]),
        ("friday w icecube is a classic", [("m:friday", LIKE), ("p:icecube", LIKE)]),
        # a word no dictionary has split in two, a doubled word run together
        ("have u seen hunt for the wilder people", [("m:wilderpeople", LIKE)]),
        ("what did u think of lala land", [("m:lalaland", LIKE)]),
        # a past-form title compared with, everyday names of a genre
        ("horror but more psychological. not like saw", [("horror", LIKE), ("m:saw", DISLIKE)]),
        ("any cowboy movies like unforgiven?", [("western", LIKE), ("m:unforgiven", LIKE)]),
        ("we need something the whole family can watch", [("family", LIKE)]),
        ("we liked the mask, the whole family did", [("m:mask", LIKE)]),
        ("any live action kids movies?", [("family", LIKE)]),  # filmed, not an action film
        ("any good ww2 movies?", [("war", LIKE)]),
        ("gf wants a chick flick", [("romance", LIKE)]),
        # a known title written as one inside a sentence, whatever its words mean
        ("What's your opinion on Gone with the Wind? It's so long", [("m:gonewind", LIKE)]),
        # texting in titles, the name the public calls someone, a film's short name
        ("loved mad max fury rd!!! need more like it", [("m:furyroad", LIKE)]),
        ("was batman vs superman really that bad", [("m:bvs", DISLIKE)]),
        ("a movie with charlie chaplin? modern times?", [("p:chaplin", LIKE), ("m:moderntimes", LIKE)]),
        ("loved les mis", [("m:lesmis", LIKE)]),
        # "the first" of a title typed without its article is the oldest film of the title, article and all
        ("i liked the first hangover", [("m:hangover", LIKE)]),
        # a famous title typed as one word, before an obscure film of that very spelling
        ("something like castaway or big?", [("m:castaway", LIKE), ("m:big", LIKE)]),
        # a surname alone that is also an obscure film's title, no everyday word: the person
        ("trumbo", [("p:trumbo", LIKE)]),
        # a misspelt title of a film by someone the message names
        ("fincher never misses, zodaic is my favorite of his", [("p:fincher", LIKE), ("m:zodiac", LIKE)]),
        # a people or a language, an everyday word after "every", a misspelt "college": no film, no one
        ("I'd like some foreign films, maybe French or Italian.", []),
        ("my aunt makes us watch them every holiday", []),
        ("ive seen every star wars", [("m:starwars", LIKE)]),  # a known title of several words after "every" is one
        ("the dawn of a new era, i loved rise of the planet of the apes", [("m:apesrise", LIKE)]),
        ("you might be an inception guy, lots of people are", [("m:inception", LIKE)]),  # "an" before a known title
        ("i am from brazil, any good comedies?", [("comedy", LIKE)]),
        ("something for a bunch of collage guys", []),
        ("Hong Kong action is my thing. Jackie Chan's older movies", [("action", LIKE), ("p:chan", LIKE)]),
        # the other number of a numbered title, a chapter, the word a sibling's title opens with
        ("kill bill vol 1 or 2?", [("m:killbill1", LIKE), ("m:killbill2", LIKE)]),
        ("loved john wick, ch 2 too", [("m:johnwick", LIKE), ("m:johnwick2", LIKE)]),
        ("rise of the planet of the apes and dawn were both good", [("m:apesrise", LIKE), ("m:apesdawn", LIKE)]),
        ("spiderman 2 is the best one, homecoming was fun too", [("m:spiderman2", LIKE), ("m:homecoming", LIKE)]),
        # a film of a person the message names, after a verb of making or said of before "was"
        ("luc besson also did leon right? loved that one", [("p:besson", LIKE), ("m:leon", LIKE)]),
        ("Something with Melissa McCarthy? Spy was hilarious.", [("p:mccarthy", LIKE), ("m:spy", LIKE)]),
        # how a film suits someone, "the cartoon" of one film: no kind of film asked for
        ("Kubo and the Two Strings was beautiful but a bit scary for my youngest.", [("m:kubo", LIKE)]),
        ("the lion king? the cartoon one", [("m:lionking", LIKE)]),
        ("something surreal like eternal sunshine", [("m:sunshine", LIKE)]),
    ],
)
def test_titles_names_and_kinds_as_people_type_them(typed_parser: EmbeddedParser, text: str, expected: list) -> None:
    assert understood(typed_parser, text) == expected
