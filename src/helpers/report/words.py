"""Counts, plurals and lists in running text: one helper for every chapter.

Glued sentences read awkwardly when a number meets a fixed noun ("1
characteristic(s)", "1 of the 11 characteristics differ"). These helpers
choose the form from the number:

>>> count_noun(1, "characteristic")
'1 characteristic'
>>> count_noun(3, "pair")
'3 pairs'
>>> count_noun(1, "row", verb=("differs", "differ"))
'1 row differs'
>>> agree(1, "differs", "differ")
'differs'
>>> join_words(["Liver metastases", "ECOG PS", "1L-PFS (months)"])
'Liver metastases, ECOG PS and 1L-PFS (months)'
>>> characteristics_in_text(["liver_met", "ecog_ge2"])
'liver metastases and ECOG PS'
>>> characteristics_with_values({"age_ge65": 0.128, "ecog_ge2": 0.179})
'age (0.13) and ECOG PS (0.18)'
>>> in_text("Hematologic toxicities"), in_text("G3 rash")
('hematologic toxicities', 'G3 rash')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..study.design import characteristic_in_text

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def plural(noun: str, plural_form: str | None = None) -> str:
    """The plural of ``noun``: ``plural_form`` if given, else the English default (-s, -es, -ies)."""
    if plural_form:
        return plural_form
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def count_noun(
    n: int, noun: str, plural_form: str | None = None, *, spell: bool = False, verb: tuple[str, str] | None = None
) -> str:
    """'1 characteristic', '2 characteristics'; with ``spell``, 'one' to 'ten' and 'no' for zero.

    ``verb`` (singular, plural) adds the verb that agrees: ``count_noun(2, "row",
    verb=("differs", "differ"))`` is '2 rows differ'.
    """
    n = int(n)
    number = NUMBER_WORDS[n] if spell and 0 <= n < len(NUMBER_WORDS) else str(n)
    text = f"{number} {noun if n == 1 else plural(noun, plural_form)}"
    return f"{text} {agree(n, *verb)}" if verb else text


def agree(n: int, singular: str, plural_form: str) -> str:
    """The verb (or any word) that agrees with a count: ``agree(1, "differs", "differ")`` is 'differs'."""
    return singular if int(n) == 1 else plural_form


def join_words(words: Iterable[str], *, empty: str = "none", conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; ``empty`` for no words."""
    words = [str(w) for w in words]
    if not words:
        return empty
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def in_text(name: str) -> str:
    """A table label for the middle of a sentence: 'Hematologic toxicities' -> 'hematologic toxicities'.

    Acronyms and codes keep their case ('ORR', 'G3/4 elevated ALT/AST', 'ECOG PS', '1L-ICIs').
    """
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def characteristics_in_text(variables: Iterable[str], **options) -> str:
    """Table 1 characteristics named for running text and joined: 'liver metastases and ECOG PS'."""
    return join_words((characteristic_in_text(v) for v in variables), **options)


def characteristics_with_values(values: Mapping[str, float], decimals: int = 2, **options) -> str:
    """Characteristics with a number each, for running text: 'age (0.13) and ECOG PS (0.18)'."""
    return join_words((f"{characteristic_in_text(v)} ({x:.{decimals}f})" for v, x in values.items()), **options)


def labels_in_text(
    keys: Iterable[str], labels: Mapping[str, str], notes: Mapping[str, str] | None = None, **options
) -> str:
    """Table rows named for running text and joined, each with an optional note in parentheses.

    ``labels_in_text(["rash"], {"rash": "Rash"}, {"rash": "p < 0.001"})`` is 'rash (p < 0.001)'.
    """
    notes = notes or {}
    return join_words((in_text(labels[k]) + (f" ({notes[k]})" if k in notes else "") for k in keys), **options)
