"""The in-memory name index: every movie title (with and without year), person name, genre name and genre
inflection, loaded once from the graph, plus the shorter ways people write them (a title without its leading
article or after its colon or sequel number, without its hyphens, with its sequel number in digits, a popular
title's initials or its words run together, a distinctive word of it, a person's distinctive surname); finds
candidate spans in an utterance in one left-to-right pass, and proposes the name words an unknown word is one typo
away from."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from graph.importers.titles import alternative_titles, display_title, split_year
from nlu.text import Token, gcide, is_english, is_year, key, title_words, vocabulary

# Inflections and everyday names of the genres (the graph's genre ids on the right). A "romantic comedy" is read as
# its two genres ("romantic" → romance, "comedy"), so it has no entry of its own.
GENRE_ALIASES: dict[str, str] = {
    "comedies": "comedy",
    "comedic": "comedy",
    "romantic": "romance",
    "romances": "romance",
    "thrillers": "thriller",
    "horrors": "horror",
    "horror movies": "horror",
    **dict.fromkeys(["slasher", "slashers"], "horror"),
    **dict.fromkeys(["mob", "mafia", "gangster", "gangsters"], "crime"),
    "dramas": "drama",
    "dramatic": "drama",
    **dict.fromkeys(["good cry", "tearjerker", "tearjerkers", "tear jerker", "tear jerkers"], "drama"),
    "funnier": "comedy",  # "like The Hangover but funnier"
    # "a funny one like Blazing Saddles", "funny movie w melissa mccarthy?"; never "that was funny" (a judgment)
    **dict.fromkeys(
        [f"funny {noun}" for noun in ("movie", "movies", "film", "films", "one", "ones", "flick", "flicks")], "comedy"
    ),
    "documentaries": "documentary",
    "docs": "documentary",
    "doc": "documentary",
    "musicals": "musical",
    "westerns": "western",
    "mysteries": "mystery",
    "adventurous": "adventure",
    "animated": "animation",
    "cartoon": "animation",
    "cartoons": "animation",
    "anime": "animation",
    "sci fi": "sci-fi",
    "scifi": "sci-fi",
    "science fiction": "sci-fi",
    "biopic": "biography",
    "biopics": "biography",
    "biographical": "biography",
    "historical": "history",
    **dict.fromkeys(["cowboy movie", "cowboy movies", "cowboy film", "cowboy films"], "western"),
    **dict.fromkeys(["ww1", "ww2", "wwi", "wwii"], "war"),  # "any good ww1 movies"
    **dict.fromkeys(["chick flick", "chick flicks"], "romance"),
    "true crime": "crime",  # "not true crime, it freaks me out": the kind, not True Crime (1995)
    **dict.fromkeys(["suspense", "suspenseful"], "thriller"),  # "more suspense than horror"
    "sports": "sport",
    "war movies": "war",
    "war films": "war",
    "war movie": "war",
    "war film": "war",
    "crime movies": "crime",
    "fantasies": "fantasy",
    "film noir": "film-noir",
    "noir": "film-noir",
    "short films": "short",
    "short film": "short",
    "action movies": "action",
    "musical films": "musical",
}
# Words people mean as another genre than the catalog's genre of that name, where it has one: ReDial's "scary" holds
# horror films only, and people asking for something scary mean horror (its dialogues' gold lists "scary", so ReDial
# linking reads this as a miss).
MEANT_GENRES: dict[str, str] = dict.fromkeys(["scary", "scarier", "scariest"], "horror")
# Films for children, by the genre the catalog files them under: ReDial's "family", else MovieLens' "children".
CHILDRENS_ALIASES = ("kids movie", "kids movies", "kids film", "kids films", "childrens")
CHILDRENS_GENRES = ("family", "children")
# Everyday names of two genres at once: a romantic comedy is both.
COMPOUND_GENRES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["romcom", "romcoms", "rom com", "rom coms"], ("romance", "comedy")),
    **dict.fromkeys(["dramedy", "dramedies"], ("comedy", "drama")),
}
# Names the public calls people by, beside their own (the full name on the right, when the catalog has that person).
NICKNAMES: dict[str, str] = {
    "the rock": "Dwayne Johnson",
    "nic cage": "Nicolas Cage",
    "arnie": "Arnold Schwarzenegger",
    "sly stallone": "Sylvester Stallone",
    "scarjo": "Scarlett Johansson",
    "jlaw": "Jennifer Lawrence",
    "j law": "Jennifer Lawrence",
    "rdj": "Robert Downey Jr.",
    "sam jackson": "Samuel L. Jackson",
    "leo": "Leonardo DiCaprio",
    "charlie chaplin": "Charles Chaplin",
}
# Short names people give films (the key of the title they stand for on the right).
TITLE_NICKNAMES: dict[str, str] = {"les mis": "les miserables"}
# Numbers a title spells out that people type in digits ("one" never: "1 flew over the cuckoo's nest" is no one's).
_CARDINALS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
}
_INDEFINITE_PRONOUNS = frozenset({"everyone", "everybody", "someone", "somebody", "nobody", "anyone", "anybody"})
# Words people shorten in a title ("escape from ny", "escape from la").
_PLACE_SHORTHAND = {"new york": "ny", "los angeles": "la"}
# Genre names too common as plain words to be read as a genre on their own ("a short wait", "the news").
GENRE_NAME_BLOCKLIST = {
    *("short", "news", "game show", "talk show", "reality tv"),
    *("film", "films", "movie", "movies", "love", "play", "fiction", "book", "books", "story", "series"),
}
_STOPWORDS_TEXT = """a an the and or but of to in on at for with from by as is it its it's this that these
    those be been was were
    are am i im me my we our you your he she him her his they them their what which who whom when where why how
    not no nor so than too very can will just do does did done have has had having if then there here up down out
    over under again once all any both each few more most other some such only own same also one two new old
    movie movies film films show shows series like love good great best bad ok okay yes yeah hi hello hey thanks
    thank bye lol dont didnt doesnt havent hasnt isnt wasnt arent werent cant couldnt wont wouldnt ive youve id
    ill youll youre theyre thats whats lets let go get got see seen saw watch watched really much well"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Entry:
    """One nameable node."""

    label: str
    node_id: str
    name: str
    year: int | None
    popularity: int
    recent_popularity: int | None = None  # of its ratings, only those of the last years, where they are dated

    @property
    def prior(self) -> float:
        """Popularity as a 0..1 prior (log-scaled; 1,000+ links saturate)."""
        return min(1.0, math.log1p(self.popularity) / math.log1p(1000))

    @property
    def recent_prior(self) -> float:
        """`prior` of what people rate and talk about today: which of the films of one name they mean."""
        recent = self.popularity if self.recent_popularity is None else self.recent_popularity
        return min(1.0, math.log1p(recent) / math.log1p(1000))


@dataclass(frozen=True)
class SpanMatch:
    """A run of tokens [first, last) whose text is a name key, and the entries it names; `derived` when the key is
    only a shortened form (no article, short title, distinctive word, surname) of the entries' names."""

    first: int
    last: int
    key: str
    entries: tuple[int, ...]
    with_year: bool
    derived: bool = False
    typo: bool = False  # found after correcting one word by one edit
    keyword: bool = False  # the key is one distinctive word of the titles ("shawshank", "lebowski")


# The parts people drop from a title: a leading article, everything from a colon, a dash, a sequel number or
# " and the " on ("Harry Potter and the Goblet of Fire" -> "harry potter", "Toy Story 3" -> "toy story").
ARTICLE = re.compile(r"^(the|a|an) ")  # a leading article of a name key
_ARTICLES = frozenset({"the", "a", "an"})
_SHORT = re.compile(r" (?:[2-9]|ii|iii|iv|v|vi|vii|part \w+|episode \w+|chapter \w+|and the .*|vs .*)( .*)?$")
SUBTITLE = re.compile(r":|\s[-\u2013]\s")  # where a title's subtitle starts
# A title that is an abbreviation and what it stands for is also named by the abbreviation ("E.T. the
# Extra-Terrestrial"), not one the abbreviation only opens ("U.S. Marshals").
_ABBREVIATION = re.compile(r"^((?:[A-Z]\.){2,}) the ")
_AND_THE = re.compile(r" (?:and|&) the (.+)$", re.IGNORECASE)  # "Harry Potter and the Chamber of Secrets"
MAX_PART_TITLES = 2  # a subtitle or a title's opening words name their films when at most this many share them
MIN_SURNAME_LINKS = 8  # a surname that is also an everyday word ("story") names only someone with this many films
MIN_FIRST_NAME_LINKS = 20  # a person this prolific is named by an unusual first name alone ("denzel", "keanu")
SURNAME_DOMINANCE = 3  # a surname names a person who has this many times the links of anyone else who bears it
MIN_TYPO_LENGTH = 3  # name words of this length on are corrected into (from words one letter shorter on)
MIN_SPELLING_POPULARITY = 50  # a title this popular is also found by its initials ("lotr", "potc")
MIN_OPENING_POPULARITY = 20  # ... and a title of three words or more this popular by its first two ("grand budapest")
_SEQUEL_WORDS = frozenset({"part", "chapter", "episode", "volume", "vol"})  # words before a sequel's number
MIN_SHORT_NAME_LINKS = 3  # someone with this many films is also named without a middle name ("samuel jackson")
_NAME_SUFFIXES = frozenset({"jr", "sr"})  # what people leave off a name: "Robert Downey Jr."
ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
MIN_SHORT_POPULARITY = 10  # a title shortened to one everyday word keeps that key only for a film this popular
MIN_KEYWORD_LENGTH = 5  # a title's distinctive word ("shawshank") names it from this length on
MAX_KEYWORD_TITLES = 5  # ... when it stands in at most this many titles (a franchise: "bourne", "narnia")
MIN_KEYWORD_POPULARITY = 10  # ... the most popular of them this popular ("sematary", "helsing": 40, 34)
MAX_NEAR_WORDS = 3  # a title of up to this many words may be a famous one misspelt ("inglorious bastards")
MIN_NEAR_LENGTH = 5  # ... of this many letters on
MAX_NEAR_CORRECTIONS = 5  # ... trying these many name words one edit away from each of its words
MAX_NEAR_SPELLINGS = 200  # ... in at most these many spellings
MIN_NEAR_FAMOUS_PRIOR = 0.6  # ... for a film this popular
NEAR_PRIOR_MARGIN = 0.2  # ... and this much more than the film of that very title (4x as many links)
MIN_JOINED_LENGTH = 7  # a title's words written as one ("starwars") or its one word split in two ("good fellas")
MIN_SPLIT_PART = 4  # ... into two English words of this length on ("dead pool", never "shin ing")


_PARTICLES = frozenset({"de", "di", "da", "del", "van", "von", "der", "le", "la", "du", "mc", "mac"})
# ... and one written inside a name, which people also type apart: "DiCaprio", "McConaughey", "LaBeouf"
_INNER_PARTICLE = re.compile(r"\b(Di|De|Da|Del|Van|Von|Der|Le|La|Du|Mc|Mac)([A-Z][a-z]{2,})")


def _joined_particles(words: list[str]) -> list[str]:
    """A name's words with a particle inside it written together with the word after, as people type it: "robert de
    niro" → "robert deniro", "jean claude van damme" → "jean claude vandamme"."""
    joined: list[str] = []
    for i, word in enumerate(words):
        if joined and joined[-1] in _PARTICLES and i - 1 > 0:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def _owner(people: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Of the (links, entry) of the people who bear a name, the one who owns it: the only one, or one with
    `SURNAME_DOMINANCE` times the links of anyone else; None when nobody does."""
    ranked = sorted(people, reverse=True)
    if len(ranked) == 1 or ranked[0][0] >= SURNAME_DOMINANCE * max(ranked[1][0], 1):
        return ranked[0]
    return None


# "the Coen brothers", "farrelly bros": everyone of note who bears the surname, as one mention each.
SIBLING_WORDS = ("brothers", "bros", "sisters", "siblings")
MAX_SIBLINGS = 4  # a surname borne by more people of note than this names no siblings ("the smith brothers")
SIBLING_SHARE = 0.25  # people of note: at least this share of the links of the best known bearer of the surname


def _siblings(people: list[tuple[int, int]]) -> set[int]:
    """Of the (links, entry) of the people who bear a surname, those who would be "the <surname> brothers": the ones
    of note, when there are 2 to `MAX_SIBLINGS` of them and few others bear it; else none."""
    best = max((links for links, _ in people), default=0)
    noted = {index for links, index in people if best and links >= SIBLING_SHARE * best}
    few = len({index for _, index in people}) <= 2 * MAX_SIBLINGS
    return noted if few and 2 <= len(noted) <= MAX_SIBLINGS else set()


def bare_title(name: str) -> str:
    """The key of a film's title without its year and leading article ("lion king" of "The Lion King (2019)")."""
    return ARTICLE.sub("", key(split_year(display_title(name))[0]))


def series_after_opening(title: str) -> str:
    """The series a title of the form "<word> of / for the <series>" names ("planet of the apes" of "dawn of the
    planet of the apes"), or ""."""
    words = title.split()
    return ARTICLE.sub("", " ".join(words[2:])) if len(words) > 3 and words[1] in {"of", "for"} else ""


class Lexicon:
    """Name keys → entries, with every token prefix of a key for a fast longest-match scan."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.entries: list[Entry] = []
        self.keys: dict[str, list[int]] = defaultdict(list)
        self.derived: dict[str, list[int]] = defaultdict(list)
        self.keywords: set[str] = set()  # the derived keys that are one distinctive word of their titles
        self.sibling_keys: set[str] = set()  # "coen brothers": never found by a typo ("warner bros")
        self.abbreviations: set[str] = set()  # the derived keys that are a title's opening abbreviation ("et")
        self.nicknames: set[str] = set()  # the derived keys that are what the public calls someone ("leo")
        # a title's one everyday word after its franchise's name ("covenant" of Alien: Covenant): the films it ends
        self.franchise_parts: dict[str, set[int]] = defaultdict(set)
        self.stopwords = STOPWORDS
        self.common = vocabulary() | STOPWORDS
        genre_rows: dict[str, int] = {}
        alternates: dict[int, set[str]] = {}  # the other titles MovieLens gives an item in parentheses
        for row in rows:
            if not row.get("name") or not row.get("id"):
                continue
            index = len(self.entries)
            popularity, recent = int(row.get("popularity") or 0), row.get("recent_popularity")
            entry = Entry(row["label"], row["id"], row["name"], row.get("year"), popularity, recent)
            self.entries.append(entry)
            for name_key in self._keys_of(entry, row.get("aliases") or []):
                if index not in self.keys[name_key]:
                    self.keys[name_key].append(index)
            if entry.label == "Item":  # "Seven (a.k.a. Se7en) (1995)": "se7en"; an alias's own title
                names = [row["name"], *(row.get("aliases") or [])]
                alternates[index] = {alt for name in names for alt in alternative_titles(name)}
                alternates[index] |= {split_year(display_title(alias))[0] for alias in row.get("aliases") or []}
            if entry.label == "Genre":
                genre_rows[entry.node_id] = index
        for alias, genre in GENRE_ALIASES.items():
            if genre in genre_rows:
                self.keys[key(alias)].append(genre_rows[genre])
        childrens = next((genre_rows[g] for g in CHILDRENS_GENRES if g in genre_rows), None)
        for alias in CHILDRENS_ALIASES if childrens is not None else ():
            self.keys[key(alias)].append(childrens)
        for word, genre in MEANT_GENRES.items():
            if genre in genre_rows:  # in place of a genre of that name
                word_key = key(word)
                self.keys[word_key] = [i for i in self.keys[word_key] if self.entries[i].label != "Genre"]
                self.keys[word_key].append(genre_rows[genre])
        for alias, genres in COMPOUND_GENRES.items():
            self.keys[key(alias)].extend(genre_rows[g] for g in genres if g in genre_rows)
        for blocked in GENRE_NAME_BLOCKLIST:
            self.keys.pop(blocked, None)
        self._add_derived_keys(alternates)
        for nickname, name in NICKNAMES.items():  # "w the rock": Dwayne Johnson, beside the film The Rock
            people = [i for i in self.keys.get(key(name), []) if self.entries[i].label == "Person"]
            if people and not set(people) & set(self.keys.get(key(nickname), [])):
                self.derived[key(nickname)] = sorted({*self.derived.get(key(nickname), []), *people})
                self.nicknames.add(key(nickname))
        for nickname, title_key in TITLE_NICKNAMES.items():  # "les mis": the most popular film of that title
            films = [i for i in self.keys.get(title_key, []) if self.entries[i].label == "Item"]
            if films:
                self.derived[key(nickname)] = [max(films, key=lambda i: self.entries[i].prior)]
        every_key = [*self.keys, *self.derived]
        # names that longer names start with: a series ("harry potter", "lord of the rings"), not "date night"
        self.series = {" ".join(k.split()[:n]) for k in every_key for n in range(1, len(k.split()))}
        self.prefixes = self.series | {" ".join(k.split()) for k in every_key}  # every token prefix of a key
        self.pairs = {f"{a} {b}" for k in every_key for a, b in itertools.pairwise(k.split())}  # "the lambs"
        self.genres = {self.entries[i].node_id: i for i in genre_rows.values()}
        # the most popular person whose name starts with a word ("edgar": Edgar Wright)
        self.first_name_prior: dict[str, float] = defaultdict(float)
        for entry in self.entries:
            words = key(entry.name).split()
            if entry.label == "Person" and len(words) > 1:
                self.first_name_prior[words[0]] = max(self.first_name_prior[words[0]], entry.prior)
        # A catalog nobody has rated or talked about yet (a fresh own catalog) gives no popularity to go by.
        self.has_usage = any(e.popularity > 0 for e in self.entries if e.label == "Item")
        self._typo_index(every_key)
        self._near_namesakes()

    def _add_derived_keys(self, alternates: dict[int, set[str]]) -> None:
        """Shortened keys of titles (and their `alternates`, other titles by entry) and people's distinctive surnames
        and first names, unless a full name already has that key."""
        derived: dict[str, set[int]] = defaultdict(set)
        by_surname: dict[str, list[tuple[int, int]]] = defaultdict(list)
        titles_with: dict[str, set[int]] = defaultdict(set)  # each word of a title: the films it stands in
        person_words: set[str] = set()
        person_names: set[str] = set()  # full names' keys
        subtitled: dict[str, set[int]] = defaultdict(set)  # a subtitle or opening words: the films they name
        by_first: dict[str, list[tuple[int, int]]] = defaultdict(list)  # first names: (links, person)
        for index, entry in enumerate(self.entries):
            if entry.label == "Item":
                raw = split_year(display_title(entry.name))[0]
                title, head = key(raw), key(SUBTITLE.split(raw)[0])
                for word in title_words(raw):  # "kiki" of Kiki's Delivery Service
                    titles_with[word].add(index)
                bare = ARTICLE.sub("", title)
                for short in {head, ARTICLE.sub("", head), bare, _SHORT.sub("", title), _SHORT.sub("", bare)}:
                    remainder = ARTICLE.sub("", short).split()
                    significant = [w for w in remainder if w not in STOPWORDS]
                    if len(remainder) == 1 and remainder[0] in self.common and entry.popularity < MIN_SHORT_POPULARITY:
                        continue  # "the last" is no name of an obscure "The Last: Naruto the Movie"
                    # never "the fast" for The Fast and the Furious; "kubo" of Kubo and the Two Strings, no English word
                    unusual = len(remainder) == 1 and not self.is_common(remainder[0]) and not is_english(remainder[0])
                    cut_short = short not in (head, bare) and len(remainder) < 2 and not unusual
                    if short and short != title and significant and not cut_short:
                        derived[short].add(index)  # never "the fast" for The Fast and the Furious
                opening = _ABBREVIATION.match(raw)  # "E.T." of "E.T. the Extra-Terrestrial"
                if opening is not None and entry.popularity >= MIN_SHORT_POPULARITY:
                    derived[key(opening.group(1))].add(index)
                    self.abbreviations.add(key(opening.group(1)))
                for other in self._other_spellings(raw, entry):  # "spiderman 2", "godfather 2", "lotr"
                    derived[other].add(index)
                for tail in self._parts(raw, entry, index):  # "infinity war", "chamber of secrets", "eternal sunshine"
                    subtitled[tail].add(index)
                for alternative in alternates.get(index, ()):
                    for tail in self._parts(alternative, entry, index):  # "sorcerer's stone" (a US title)
                        subtitled[tail].add(index)
                    alternative_key = key(alternative)
                    significant = [w for w in alternative_key.split() if w not in STOPWORDS]
                    if significant and (len(significant) > 1 or entry.popularity >= MIN_SHORT_POPULARITY):
                        derived[alternative_key].add(index)
                        derived[ARTICLE.sub("", alternative_key)].add(index)
            elif entry.label == "Person":
                words = key(entry.name).split()
                person_words.update(words)
                person_names.add(" ".join(words))
                if len(words) >= 2 and words[-1] in _NAME_SUFFIXES:  # "robert downey jr": "robert downey", "downey"
                    words = words[:-1]
                    derived[" ".join(words)].add(index)
                if len(words) >= 3 and len(words[0]) >= 3 and entry.popularity >= MIN_SHORT_NAME_LINKS:
                    derived[f"{words[0]} {words[-1]}"].add(index)  # "samuel jackson", "michael fox"
                if len(words) >= 2:
                    by_surname[words[-1]].append((entry.popularity, index))
                    by_first[words[0]].append((entry.popularity, index))
                given = entry.name.split()[0]
                if len(words) >= 3 and "-" in given:  # "wong kar wai" for Kar-Wai Wong, "park chan wook"
                    derived[" ".join([words[-1], *words[:-1]])].add(index)
                whole = "".join(words)  # "icecube", "tomhanks": a name typed as one word
                if len(words) == 2 and len(whole) >= MIN_JOINED_LENGTH and entry.popularity >= MIN_SHORT_NAME_LINKS:
                    derived[whole].add(index)
                joined = _joined_particles(words)  # "robert deniro", "deniro"
                if joined != words:
                    derived[" ".join(joined)].add(index)
                    by_surname[joined[-1]].append((entry.popularity, index))
                split = key(_INNER_PARTICLE.sub(r"\1 \2", entry.name)).split()  # "di caprio", "mc conaughey"
                if split != words and len(words) >= 2:
                    derived[" ".join(split)].add(index)
                    by_surname[" ".join(split[len(words) - 1 :])].append((entry.popularity, index))
        for surname, people in by_surname.items():
            owner = _owner(people)
            # "king", "stone", "fargo" (a film); not "spielberg", "nolan": no English word, nothing else's name
            everyday = surname in self.common and (surname in gcide() or surname in self.keys)
            known = owner is not None and owner[0] >= (MIN_SURNAME_LINKS if everyday else 1)
            if len(surname) >= 4 and surname not in self.stopwords and owner is not None and known:
                derived[surname].add(owner[1])
            siblings = _siblings(people) if surname not in self.stopwords else set()
            for word in SIBLING_WORDS if siblings else ():
                derived[f"{surname} {word}"] |= siblings
                self.sibling_keys.add(f"{surname} {word}")
        for first, people in by_first.items():  # "denzel", "keanu": a first name nobody else of note bears
            owner = _owner(people)
            unusual = len(first) >= 4 and not self.is_common(first) and not is_english(first)
            if owner is not None and unusual and owner[0] >= MIN_FIRST_NAME_LINKS:
                derived[first].add(owner[1])
        for tail, indices in subtitled.items():
            # never "the beginning", "the final chapter" of many films, nor "jackie chans" (older movies) for Jackie
            # Chan's First Strike: a person's possessive names the person
            if len(indices) <= MAX_PART_TITLES and not (tail.endswith("s") and tail[:-1] in person_names):
                derived[tail] |= indices
        keywords = self._keywords(titles_with, person_words, set(derived))
        for word, indices in keywords.items():
            derived[word] |= indices
        self.keywords = set(keywords)
        self._sequel_words()
        for derived_key, indices in derived.items():
            self.derived[derived_key] = sorted(set(indices) - set(self.keys.get(derived_key, ())))
        named = [(k, i) for keys in (self.keys, self.derived) for k, i in keys.items()]
        for name_key, indices in named:  # "fast 5", "3 billboards", "16 candles": a number in digits
            words, films = name_key.split(), [i for i in indices if self.entries[i].label == "Item"]
            digits = " ".join(_CARDINALS.get(w, w) for w in words)
            if films and len(words) >= 2 and digits != name_key and digits not in self.keys:
                self.derived[digits] = sorted({*self.derived.get(digits, []), *films})

    def _keywords(
        self, titles_with: dict[str, set[int]], person_words: set[str], taken: set[str]
    ) -> dict[str, set[int]]:
        """Distinctive title words people name a film by ("shawshank", "lebowski", "doubtfire"): of the words of
        titles (`titles_with`: the films each stands in), one of 5+ letters that no English dictionary has (inflected
        or not: never "pineapple" or "lambs"), no word of a person's name nor any other key, standing in the titles
        of at most 5 films (a franchise), the most popular of them rated or talked about at least a little."""
        return {
            word: indices
            for word, indices in titles_with.items()
            if len(word) >= MIN_KEYWORD_LENGTH
            and word.isalpha()
            and not self.is_common(word)
            and not is_english(word)
            and word not in person_words
            and word not in self.keys
            and word not in taken
            and len(indices) <= MAX_KEYWORD_TITLES
            and max(self.entries[i].popularity for i in indices) >= MIN_KEYWORD_POPULARITY
        }

    def _parts(self, raw: str, entry: Entry, index: int) -> set[str]:
        """Keys of the part of a title after its franchise's name, which people name the film by: "infinity war"
        (Avengers: Infinity War), "the empire strikes back", "chamber of secrets" (Harry Potter and the Chamber of
        Secrets); with a word no dictionary has ("Thor: Ragnarok") or of two words or more of a film people rated,
        never a number ("Kill Bill: Vol. 1") nor one everyday word ("Alien: Covenant"). And the first two words of a
        popular film's title of three or more, as people cut it short ("eternal sunshine", "grand budapest", "three
        billboards"; never "the wolf of"). A part of one everyday word is kept apart (`franchise_parts`): it names the
        film only beside its franchise ("the first alien was better than covenant")."""
        parts = [part.strip() for part in SUBTITLE.split(raw)]
        tails = [parts[-1]] if len(parts) > 1 else []
        franchise = _AND_THE.search(parts[0])
        if franchise is not None:
            tails.append(franchise.group(1))
        keys: set[str] = set()
        for tail in tails:
            bare = ARTICLE.sub("", key(tail))
            words = bare.split()
            if not words or words[0] in _SEQUEL_WORDS or words[0].isdigit():
                continue
            significant = [w for w in words if w not in STOPWORDS]
            distinctive = any(len(w) >= MIN_KEYWORD_LENGTH and not self.is_common(w) for w in significant)
            if distinctive or (significant and len(words) > 1 and entry.popularity >= MIN_SHORT_POPULARITY):
                keys |= {bare, f"the {bare}"}
            elif len(significant) == 1 and len(significant[0]) >= MIN_KEYWORD_LENGTH and entry.popularity > 0:
                self.franchise_parts[significant[0]].add(index)
        opening = ARTICLE.sub("", key(parts[0])).split()[:3]  # "eternal sunshine", "grand budapest"
        if len(opening) == 3 and entry.popularity >= MIN_OPENING_POPULARITY:
            first, second = opening[:2]
            clause = first in _INDEFINITE_PRONOUNS  # "as good as everyone says" holds no Everyone Says I Love You
            if first not in STOPWORDS and second not in STOPWORDS and len(second) >= 3 and not clause:
                keys.add(f"{first} {second}")
        return keys

    def _other_spellings(self, raw: str, entry: Entry) -> set[str]:
        """Keys people type for a title beside its own: hyphens dropped ("spiderman 2"), sequel numbers in digits
        with or without "part" or "chapter" ("godfather 2", "john wick 2"), and for a popular title its words run
        together ("starwars", or two of them: "wolf of wallstreet") or its one word split into two everyday ones ("good
        fellas"), a word no dictionary has split into two of a title of several ("hunt for the wilder people"), and
        for one of three words or more its initials ("lotr", "potc"; never an everyday word)."""
        title, head = key(raw), key(SUBTITLE.split(raw)[0])
        forms = {title, head, ARTICLE.sub("", title), ARTICLE.sub("", head)}
        shortened = {
            form.replace(place, short) for place, short in _PLACE_SHORTHAND.items() for form in forms if place in form
        }  # "escape from ny"
        if "-" in raw:
            joined = key(raw.replace("-", ""))
            forms |= {joined, ARTICLE.sub("", joined), key(SUBTITLE.split(raw.replace("-", ""))[0])}
        spellings = set(forms) if "-" in raw else set()
        spellings |= {f" {form} ".replace(" with ", " w ").strip() for form in forms if " with " in f" {form} "}
        spellings |= {f" {form} ".replace(" v ", " vs ").strip() for form in forms if " v " in f" {form} "}
        for form in filter(None, forms):
            # "godfather part ii" → "godfather part 2" and "godfather 2"; "john wick chapter 2" → "john wick 2"
            words = [ROMAN.get(w, w) for w in form.split()]
            following = [*words[1:], ""]
            numbered = [w for w, n in zip(words, following, strict=True) if not (w in _SEQUEL_WORDS and n.isdigit())]
            spellings |= {" ".join(words), " ".join(numbered)} - {form}
        initials_of = ARTICLE.sub("", head).split()
        if entry.popularity >= MIN_SPELLING_POPULARITY:  # "starwars", "toystory"; "good fellas", "ghost busters"
            joined = "".join(initials_of)
            if 2 <= len(initials_of) <= 3 and len(joined) >= MIN_JOINED_LENGTH and not self.is_common(joined):
                spellings.add(joined)
            for n in range(len(initials_of) - 1):  # "wolf of wallstreet", "into the spiderverse", "lala land"
                pair = initials_of[n] + initials_of[n + 1]
                doubled = initials_of[n] == initials_of[n + 1]
                long_enough = len(pair) >= MIN_JOINED_LENGTH or doubled
                if len(initials_of) > 2 and long_enough and not self.is_common(pair):
                    spellings.add(" ".join([*initials_of[:n], pair, *initials_of[n + 2 :]]))
            if len(initials_of) == 1 and len(joined) >= MIN_JOINED_LENGTH:
                spellings |= {
                    f"{joined[:i]} {joined[i:]}"
                    for i in range(MIN_SPLIT_PART, len(joined) - MIN_SPLIT_PART + 1)
                    if is_english(joined[:i]) and is_english(joined[i:])
                }
        for n, word in enumerate(initials_of if len(initials_of) > 1 else []):  # "hunt for the wilder people"
            if len(word) >= MIN_JOINED_LENGTH and not is_english(word):
                for i in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
                    if is_english(word[:i]) and is_english(word[i:]):
                        split = [*initials_of[:n], word[:i], word[i:], *initials_of[n + 1 :]]
                        spellings.add(" ".join(split))
        if len(initials_of) >= 3 and entry.popularity >= MIN_SPELLING_POPULARITY:
            initials = "".join(w[0] for w in initials_of if w.isalpha())
            if len(initials) >= 3 and initials not in self.common:
                spellings.add(initials)
        return {s for s in spellings | shortened if s and s != title}

    def _sequel_words(self) -> None:
        """The one word a sequel's title adds to its first film's ("reloaded" of The Matrix Reloaded, "dawn" of Dawn of
        the Planet of the Apes) names it beside that film, as a part after a franchise's name does (`franchise_parts`):
        "the first matrix, not reloaded"."""
        titles = {i: bare_title(e.name) for i, e in enumerate(self.entries) if e.label == "Item" and e.popularity > 0}
        known = set(titles.values())
        for index, title in titles.items():
            words = title.split() or [""]
            first, opening, word = " ".join(words[:-1]), words[0], words[-1]
            if first and first in known and len(word) >= MIN_KEYWORD_LENGTH and word.isalpha():
                self.franchise_parts[word].add(index)
            series = series_after_opening(title)
            if series and series in known and opening.isalpha():
                self.franchise_parts[opening].add(index)  # "dawn" of Dawn of the Planet of the Apes

    def _near_namesakes(self) -> None:
        """A film's title that is a famous film's but for a letter or two in a word or two ("inglorious bastards",
        "aladin", "dark night") names the famous film too, as people misspell it, when that film is far more popular:
        the famous film wins unless a year or other words say otherwise."""
        for names in (self.keys, self.derived):
            for name_key, indices in list(names.items()):
                if names is self.keys and ARTICLE.match(name_key):
                    continue  # "the inglorious bastards that was remade": a title typed whole, article and all
                famous = self._famous_near(name_key, [self.entries[i] for i in indices]) - set(indices)
                if famous:
                    names[name_key] = [*sorted(famous), *indices]

    def _famous_near(self, name_key: str, films: list[Entry]) -> set[int]:
        """The films far more popular than `films` (all of one key) whose titles are `name_key` but for one edit in
        some of its words."""
        words = ARTICLE.sub("", name_key).split()
        if not films or any(e.label != "Item" for e in films) or not 1 <= len(words) <= MAX_NEAR_WORDS:
            return set()
        wanted = max(MIN_NEAR_FAMOUS_PRIOR, max(e.prior for e in films) + NEAR_PRIOR_MARGIN)
        run_together = {  # "castaway" is Castaway (1986) and Cast Away (2000) typed as one word
            i
            for i in self.derived.get(name_key, ())
            if self.entries[i].prior >= wanted and "".join(bare_title(self.entries[i].name).split()) == "".join(words)
        }
        if run_together:
            return run_together
        if len(name_key) < MIN_NEAR_LENGTH or words[-1] in STOPWORDS or (len(words) == 1 and is_english(words[0])):
            return set()  # "twisted" is a word, no Twister misspelt
        options = [
            [w, *(self.corrections(w)[:MAX_NEAR_CORRECTIONS] if len(w) >= MIN_TYPO_LENGTH else [])] for w in words
        ]
        famous: set[int] = set()
        for spelling in itertools.islice(itertools.product(*options), 1, MAX_NEAR_SPELLINGS):
            said = " ".join(spelling)
            for i in {*self.lookup(said)[0], *self.lookup(f"the {said}")[0]}:
                if self.entries[i].label == "Item" and self.entries[i].prior >= wanted:
                    famous.add(i)
        return famous

    def _typo_index(self, keys: list[str]) -> None:
        """Every word of 3+ letters of a name, by each form of it with one letter deleted (and itself)."""
        self.name_words: Counter[str] = Counter(w for k in keys for w in k.split() if len(w) >= MIN_TYPO_LENGTH)
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for word in self.name_words:
            for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                self._deletes[variant].add(word)

    def corrections(self, norm: str) -> list[str]:
        """The name words one edit (substitution, insertion, deletion, transposition) away from `norm`, the most
        used in names first; empty for short words."""
        if len(norm) < MIN_TYPO_LENGTH - 1 or not norm.isalpha():
            return []
        found = set(self._deletes.get(norm, ()))
        for i in range(len(norm)):
            found |= self._deletes.get(norm[:i] + norm[i + 1 :], set())
        close = [w for w in found if w != norm and DamerauLevenshtein.distance(w, norm) == 1]
        return sorted(close, key=lambda w: (-self.name_words[w], w))

    def lookup(self, name_key: str) -> tuple[list[int], bool]:
        """The entries a key names (those it is the full name of first, then those it shortens: "the lord of the
        rings" is a 1978 film and short for three others), and whether it is only a shortened key."""
        exact, shortened = self.keys.get(name_key, []), self.derived.get(name_key, [])
        return [*exact, *shortened], not exact

    def is_full_name(self, name_key: str, index: int) -> bool:
        """Whether `name_key` is a full name (not only a shortened one) of entry `index`."""
        return index in self.keys.get(name_key, ())

    @staticmethod
    def _keys_of(entry: Entry, aliases: list[str]) -> set[str]:
        names = {entry.name, *aliases}
        keys: set[str] = set()
        for name in names:
            if entry.label != "Item":
                keys.add(key(name))
                continue
            shown = display_title(name)
            title, year = split_year(shown)
            keys.add(key(title))
            if year is not None:
                keys.add(key(f"{title} {year}"))
        return {k for k in keys if k}

    def find(self, tokens: list[Token]) -> list[SpanMatch]:
        """Longest non-overlapping key matches, left to right; an article starts a match only where the words
        after it make no longer one ("the toy story series" is Toy Story, not The Toy)."""
        norms = [t.norm for t in tokens]
        bases = [self._base(t) for t in tokens]  # "spielberg" of "Spielberg's", "nolan" of "nolans early stuff"
        found: list[SpanMatch] = []
        i = 0
        while i < len(norms):
            best = self._longest(norms, bases, i)
            if norms[i] in _ARTICLES and i + 1 < len(norms):
                without = self._longest(norms, bases, i + 1)
                if without is not None and (best is None or without[0] > best[0]):
                    i, best = i + 1, without
            if best is None:
                i += 1
                continue
            last, name_key = best
            entries, derived = self.lookup(name_key)
            with_year, keyword = is_year(norms[last - 1]), name_key in self.keywords
            found.append(SpanMatch(i, last, name_key, tuple(entries), with_year, derived, keyword=keyword))
            i = last
        return found

    def _base(self, token: Token) -> str | None:
        """The name a possessive word may stand for: the word without its "'s", or without its "s" where that is a
        person's name (people drop the apostrophe: "nolans early films")."""
        if token.possessive:
            return token.norm[:-1]
        base = token.norm[:-1]
        if token.norm.endswith("s") and len(base) >= 4 and token.norm not in self.keys:
            entries = self.lookup(base)[0]
            if entries and all(self.entries[i].label == "Person" for i in entries):
                return base
        return None

    def _longest(self, norms: list[str], bases: list[str | None], i: int) -> tuple[int, str] | None:
        """The end and key of the longest key that starts at word `i` (a possessive may end it without its "'s":
        "Spielberg's films"), or None."""
        best = None
        text = ""
        for j in range(i, len(norms)):
            base = bases[j] and (bases[j] if j == i else f"{text} {bases[j]}")
            text = norms[j] if j == i else f"{text} {norms[j]}"
            if base and (base in self.keys or base in self.derived):
                best = (j + 1, base)
            if text not in self.prefixes:
                break
            if text in self.keys or text in self.derived:
                best = (j + 1, text)
        return best

    def is_stopword(self, norm: str) -> bool:
        """A function word or chat filler ("the", "movie", "lol")."""
        return norm in self.stopwords

    def is_common(self, norm: str) -> bool:
        """A plain English word (or a stopword) rather than a name."""
        return norm in self.common
