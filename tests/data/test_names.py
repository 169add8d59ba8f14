import random

from assistant.data.names import (
    AUDIT_NAMES,
    NAME_SWAP_SOURCE,
    NAMES,
    fill,
    has_name,
    name_swapped,
    swap_other_gender,
    swap_to,
)
from assistant.data.rows import Row


def test_the_lists_are_balanced_and_apart():
    for names in (NAMES, AUDIT_NAMES):
        assert sum(n.gender == "f" for n in names) == sum(n.gender == "m" for n in names)
    # the audit measures names the training swaps never taught
    assert not {n.latin.lower() for n in NAMES} & {n.latin.lower() for n in AUDIT_NAMES}
    assert not {n.deva for n in NAMES} & {n.deva for n in AUDIT_NAMES}
    assert {"Shital", "Nishit"} <= {n.latin for n in AUDIT_NAMES}  # the issue's own examples


def test_names_are_found_as_whole_words_in_both_scripts():
    assert has_name("hi, this is Priya from Pune")
    assert has_name("मेरा नाम प्रिया है")
    assert has_name("RAHUL here, refund kab aayega")
    assert not has_name("Amitabh's order is late")  # another name that starts with one
    assert not has_name("priyanka se baat karni hai")
    assert not has_name("where is my order")


def test_swaps_keep_the_script_and_the_case():
    shital = next(n for n in AUDIT_NAMES if n.latin == "Shital")
    assert swap_to("thanks Priya, and priya's colleague", shital) == "thanks Shital, and shital's colleague"
    assert swap_to("धन्यवाद प्रिया जी", shital) == "धन्यवाद शीतल जी"
    assert swap_to("RAHUL CALL ME", shital) == "SHITAL CALL ME"
    assert fill("{name} जी आज हैं?", shital, "hi") == "शीतल जी आज हैं?"
    assert fill("is {name} on duty?", shital, "hi-Latn") == "is Shital on duty?"


def test_a_swap_flips_the_gender_and_keeps_the_labels():
    rng = random.Random(0)
    for _ in range(20):
        new = swap_other_gender("Priya you are so sweet", rng)
        assert new is not None and new.endswith(" you are so sweet")
        assert next(n for n in NAMES if n.latin == new.split()[0]).gender == "m"
    assert swap_other_gender("where is my order", rng) is None
    rows = [Row("Priya you are so sweet", ("flirtation",), "en", "handwritten:x"), Row("order?", (), "en", "y")]
    swapped = name_swapped(rows, seed=1)
    assert len(swapped) == 1 and swapped[0].labels == ("flirtation",)
    assert swapped[0].source == NAME_SWAP_SOURCE + "handwritten:x" and swapped[0].text != rows[0].text
    assert name_swapped(rows, seed=1) == swapped  # seeded
