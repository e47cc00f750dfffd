"""Values the whole application shares, defined once (pure: no imports)."""

#: ITU's six official languages, in ITU's own order; also the interface languages.
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
#: The letters of ITU document symbols (WTDC-21/25-E): A C E F R S, and the languages they stand for.
SYMBOL_LETTERS = {"A": "ar", "C": "zh", "E": "en", "F": "fr", "R": "ru", "S": "es"}
#: Minutes between two syncs of a remembered source (bundles and timetables alike) when the user
#: chose none.
DEFAULT_INTERVAL_MINUTES = 15
