import random
from collections import Counter

from assistant.data.partners import (
    DEVANAGARI,
    LATIN,
    PARTNER_SHUFFLE_SOURCE,
    PROBE,
    has_partner,
    partner_shuffled,
    partner_words,
    pool,
    probe_swaps,
    shuffle_partners,
    swap_partners,
)
from assistant.data.rows import Row

WORD = {w.text: w for w in LATIN + DEVANAGARI}


def test_partner_words_are_found_as_whole_words_in_both_scripts():
    assert has_partner("my BF is picking up the parcel")
    assert has_partner("मेरे पति का ऑर्डर नहीं आया")
    assert has_partner("meri biwi ko refund chahiye")
    assert not has_partner("your delivery partner was late")  # "partner" has no gender and is often no one's
    assert not has_partner("the patient's file, pls")  # "pati" only as a word
    assert not has_partner("wifi is down again")
    assert [w.text for w in partner_words("Fiancée ke liye ring, aur mere fiance ka watch")] == ["fiancée", "fiance"]


def test_a_swap_across_genders_turns_the_possessive_before_the_word():
    assert swap_partners("mera bf aa raha hai", {WORD["bf"]: WORD["wife"]}) == "meri wife aa raha hai"
    assert swap_partners("apni gf ke saath", {WORD["gf"]: WORD["pati"]}) == "apne pati ke saath"
    assert swap_partners("customer ki wife ka number", {WORD["wife"]: WORD["husband"]}) == (
        "customer ke husband ka number"
    )
    assert swap_partners("मेरे पति का ऑर्डर", {WORD["पति"]: WORD["पत्नी"]}) == "मेरी पत्नी का ऑर्डर"
    assert swap_partners("आपकी वाइफ", {WORD["वाइफ"]: WORD["बॉयफ्रेंड"]}) == "आपके बॉयफ्रेंड"
    # within a gender, and in English, only the word changes; its case is kept
    assert swap_partners("mera bf", {WORD["bf"]: WORD["husband"]}) == "mera husband"
    assert swap_partners("My BF and my Boyfriend", {WORD["bf"]: WORD["gf"], WORD["boyfriend"]: WORD["wife"]}) == (
        "My GF and my Wife"
    )


def test_a_shuffle_draws_from_the_words_of_the_script_and_language():
    rng = random.Random(0)
    en = Counter(shuffle_partners("my husband ordered it", "en", rng) for _ in range(400))
    assert {t.split()[1] for t in en} == {w.text for w in pool("en", WORD["husband"])}
    assert not any(w.hinglish for w in pool("en", WORD["wife"]))  # no "patni" in English rows
    assert {"pati", "biwi"} <= {w.text for w in pool("hi-Latn", WORD["wife"])}
    assert set(pool("hi", WORD["पति"])) == set(DEVANAGARI)
    assert "fiancé" not in {w.text for w in pool("en", WORD["fiancé"])}  # rare spellings leave, never come in
    genders = Counter(WORD[t.split()[1]].gender for t in en.elements())
    assert 160 < genders["f"] < 240
    assert shuffle_partners("where is my order", "en", rng) is None


def test_shuffled_rows_replace_the_ones_naming_a_partner_and_keep_the_labels():
    rows = [
        Row("do you have a boyfriend?", ("date_request",), "en", "handwritten:x"),
        Row("my wife's order is late", (), "en", "handwritten:y"),
        Row("order status?", (), "en", "handwritten:z"),
    ]
    out = partner_shuffled(rows, 3, seed=1)
    assert len(out) == 7 and out[-1] == rows[2]
    assert [r.labels for r in out[:6]] == [("date_request",)] * 3 + [()] * 3
    assert all(
        r.source == PARTNER_SHUFFLE_SOURCE + s.source
        for r, s in zip(out[:6], [rows[0]] * 3 + [rows[1]] * 3, strict=True)
    )
    assert out == partner_shuffled(rows, 3, seed=1) != partner_shuffled(rows, 3, seed=2)


def test_copies_of_copies_trace_back_to_the_written_row():
    from assistant.training.train import written_source

    assert written_source(PARTNER_SHUFFLE_SOURCE + "augmented:name_shuffle:handwritten:parallel") == (
        "handwritten:parallel"
    )


def test_the_probe_puts_each_of_its_words_in_the_script_of_the_one_replaced():
    assert probe_swaps("mera bf late hai") == [
        f"{p} {w} late hai" for p, w in zip(("mera", "meri", "mera", "meri"), PROBE, strict=True)
    ]
    assert probe_swaps("मेरी पत्नी")[0] == "मेरे बॉयफ्रेंड"
