import random
import re

from assistant.data.names import (
    AUDIT_NAMES,
    INTRO_OPENINGS,
    NAME_INSERT_SOURCE,
    NAME_SHUFFLE_SOURCE,
    NAME_SWAP_SOURCE,
    NAMES,
    OPENINGS,
    fill,
    has_name,
    insert_name,
    name_inserted,
    name_shuffled,
    name_swapped,
    shuffle_names,
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
    assert not has_name("priyal se baat karni hai")  # Priyal, not Priya
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


def test_devanagari_names_are_found_with_or_without_the_nukta():
    assert has_name("फ़ातिमा जी से बात करनी है") and has_name("फातिमा जी से बात करनी है")


def test_a_shuffle_draws_each_name_afresh_from_the_training_list():
    rng = random.Random(0)
    by_latin = {n.latin.lower(): n for n in NAMES}
    genders = []
    for _ in range(200):
        new = shuffle_names("Fatima told Rahul, and fatima again", rng)
        assert new is not None
        first, second = new.split()[0], new.split()[2].rstrip(",")
        assert new.split()[-2].lower() == first.lower()  # one name, one replacement, case kept
        assert first != second and first.lower() in by_latin and second.lower() in by_latin
        genders.append(by_latin[first.lower()].gender)
    assert 70 < genders.count("f") < 130  # even odds, whatever the name's own gender
    assert shuffle_names("where is my order", rng) is None
    # one person in both scripts gets one name
    new = shuffle_names("प्रिया / Priya", random.Random(3))
    assert new is not None
    deva, latin = new.split(" / ")
    assert any(n.deva == deva and n.latin == latin for n in NAMES)


def test_shuffled_rows_replace_the_named_ones_and_keep_the_labels():
    rows = [Row("Shital you are so sweet", ("flirtation",), "en", "handwritten:x"), Row("order?", (), "en", "y")]
    out = name_shuffled(rows, copies=3, seed=1)
    assert len(out) == 4 and out[-1] == rows[1]
    assert all(r.labels == ("flirtation",) and r.source == NAME_SHUFFLE_SOURCE + "handwritten:x" for r in out[:3])
    assert not any(has_name(r.text) and "Shital" in r.text for r in out)  # the audit's names leave training
    assert name_shuffled(rows, copies=3, seed=1) == out  # seeded


def test_an_inserted_name_opens_the_message_in_its_script():
    rng = random.Random(0)
    latin = {n.latin for n in NAMES}
    deva = {n.deva for n in NAMES}
    for _ in range(50):
        en = insert_name("where is my order", "en", rng)
        assert en is not None and en.endswith("where is my order") and has_name(en)
        assert any(w.strip(",.") in latin for w in en.split()[:3])
        hi = insert_name("मेरा ऑर्डर कहाँ है", "hi", rng)
        assert hi is not None and any(w.strip(",") in deva for w in hi.split()[:3])
    assert insert_name("wo ist meine Bestellung", "de", rng) is None  # no openings for it


def test_self_introductions_are_drawn_only_when_asked_and_agree_with_the_name():
    by_word = {w: n for n in NAMES for w in (n.latin, n.deva)}
    for lang, text in (("en", "where is my order"), ("hi-Latn", "order kab aayega"), ("hi", "ऑर्डर कब आएगा")):
        heads = {lang: set(), "intro": set()}
        for intro in (False, True):
            rng = random.Random(5)
            for _ in range(300):
                out = insert_name(text, lang, rng, intro)
                assert out is not None and out.endswith(text)
                head = out[: -len(text)]
                name = next(by_word[w] for w in re.findall(r"[\w\u0900-\u097f]+", head) if w in by_word)
                heads["intro" if intro else lang].add(head.replace(name.latin, "{name}").replace(name.deva, "{name}"))
                # the speaker's verb agrees with the name drawn: "bol rahi hu" for a woman's
                assert not re.search(r"rah[ai]|रह[ाी]", head) or re.search(
                    "rahi|रही" if name.gender == "f" else "raha|रहा", head
                )
        assert heads[lang] == set(OPENINGS[lang])  # off: model 28's openings, and only them
        intros = {h for h in heads["intro"] if h not in OPENINGS[lang]}
        assert {f.replace("{rahi}", "") for f in INTRO_OPENINGS[lang]} == {
            re.sub("rah[ai]|रह[ाी]", "", h) for h in intros
        }


def test_inserted_rows_keep_labels_and_skip_rows_with_names():
    rows = [Row(f"order {i}?", ("anger",), "en", "x") for i in range(400)] + [Row("thanks Priya", (), "en", "y")]
    out = name_inserted(rows, rate=0.25, seed=2)
    assert len(out) == len(rows) and out[-1] == rows[-1]
    changed = [r for r in out if r.source.startswith(NAME_INSERT_SOURCE)]
    assert 60 < len(changed) < 140 and all(r.labels == ("anger",) and has_name(r.text) for r in changed)
    assert name_inserted(rows, rate=0.25, seed=2) == out and name_inserted(rows, rate=0.0, seed=2) == rows
