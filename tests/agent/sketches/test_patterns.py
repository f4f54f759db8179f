import numpy as np

from agent.sketches import email_domains, shapes
from agent.sketches.patterns import SHAPE_WIDTH, TRUNCATED


def test_shapes_of_ascii_and_unicode() -> None:
    got = shapes(["Abcd-123", "ZZ 9_x", "", "Émile 4", "٣٤"]).tolist()
    assert got == ["Aaaa-999", "AA 9_a", "", "Aaaaa 9", "99"]


def test_long_strings_are_cut_and_marked() -> None:
    value = "x" * (SHAPE_WIDTH + 5)
    (shape,) = shapes([value]).tolist()
    assert shape == "a" * SHAPE_WIDTH + TRUNCATED
    (exact,) = shapes(["y" * SHAPE_WIDTH]).tolist()
    assert exact == "a" * SHAPE_WIDTH


def test_shapes_match_a_per_character_reference() -> None:
    rng = np.random.default_rng(0)
    alphabet = list("aZ9-@. çÜ5")
    values = ["".join(rng.choice(alphabet, size=rng.integers(0, 12))) for _ in range(500)]

    def reference(s: str) -> str:
        return "".join("9" if c.isdigit() else "A" if c.isupper() else "a" if c.isalpha() else c for c in s)

    assert shapes(values).tolist() == [reference(v) for v in values]
    assert shapes([]).size == 0


def test_email_domains() -> None:
    values = [
        "a@Mail.COM",
        "no-at-sign",
        "x@localhost",
        "two words@x.org",
        "b.c@sub.ex.io",
        "@x.com",
    ]
    assert email_domains(values) == ["mail.com", "sub.ex.io"]
