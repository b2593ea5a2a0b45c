#!/usr/bin/env python3
"""Independent computation of the test vectors published in docs/records.md.

Uses the permutation from poseidon_params.py and the sponge, text and slot encodings
exactly as docs/records.md specifies them, so the Rust tests compare against a second
implementation of the specification.   Usage: python3 tools/test_vectors.py
"""
from datetime import date

from poseidon_params import P, parameters, permute

INSTANCES = {t: (8, rp, *parameters(t, 8, rp)) for t, rp in ((3, 57), (5, 60), (10, 60))}


def tag(name):
    return int.from_bytes(name.encode(), "little")


def sponge(t, tag_name, inputs):
    rf, rp, constants, mds = INSTANCES[t]
    state = [0] * t
    state[0] = (tag(tag_name) + len(inputs) * 2**128) % P
    blocks = [inputs[i:i + t - 1] for i in range(0, len(inputs), t - 1)] or [[]]
    for block in blocks:
        for i, x in enumerate(block):
            state[1 + i] = (state[1 + i] + x) % P
        state = permute(state, t, rf, rp, constants, mds)
    return state[1]


def text(tag_name, s):
    """Text value: the hash's low 248 bits."""
    data = s.encode()
    chunks = [int.from_bytes(data[i:i + 31], "little") for i in range(0, len(data), 31)]
    return sponge(10, tag_name, [len(data)] + chunks) % 2**248


def day(iso):
    return (date.fromisoformat(iso) - date(1970, 1, 1)).days % P


def hx(x):
    return f"0x{x:064x}"


if __name__ == "__main__":
    secret = int.from_bytes(bytes([7] * 32), "little")
    holder = sponge(3, "medzk/holder", [secret])
    slots = [
        1,                                               # kind: immunization
        holder,                                          # holder id
        text("medzk/code", "http://hl7.org/fhir/sid/cvx|208"),
        day("2026-03-14"),                               # date
        2,                                               # value: dose number
        2,                                               # aux: series doses
        text("medzk/lot", "EW0182"),                     # ext: lot
        text("medzk/issuer", "clinic:oslo-1"),           # issuer
        123456789,                                       # salt
    ]
    print("holder id      ", hx(holder))
    print("code cvx|208   ", hx(slots[2]))
    print("date 2026-03-14", slots[3])
    print("commitment     ", hx(sponge(10, "medzk/commit", slots)))
    print("nullifier(scope 'border:NO')", hx(sponge(3, "medzk/nullifier", [secret, text("medzk/scope", "border:NO")])))
    empty = [0]
    for _ in range(16):
        empty.append(sponge(5, "medzk/node", [empty[-1]] * 4))
    print("empty root, depth 32", hx(empty[16]))
    # An attested absence: value set of root 7, as of 2026-11-20, all history searched.
    absence = [
        6,                                               # kind: absence
        holder,
        text("medzk/code", "urn:medzk:value-set|" + hx(7)),
        day("2026-11-20"),                               # as of
        0,
        (-2**31) % P,                                    # aux: absent (all history)
        0,
        text("medzk/issuer", "registry:npr"),
        123456789,
    ]
    print("absence code   ", hx(absence[2]))
    print("absence commitment", hx(sponge(10, "medzk/commit", absence)))
    # A negative PCR sampled 2026-12-02T10:30Z (UTC): aux is the minute since 1970.
    sampled = day("2026-12-02") * 1440 + 10 * 60 + 30
    pcr = [
        2,                                               # kind: observation
        holder,
        text("medzk/code", "http://loinc.org|94500-6"),
        day("2026-12-02"),                               # date: the sample's UTC day
        0,                                               # value
        sampled,                                         # aux: sample time, UTC minute
        text("medzk/code", "http://snomed.info/sct|260415000"),  # ext: the result
        text("medzk/issuer", "lab:oslo"),
        123456789,
    ]
    print("pcr sample minute", sampled)
    print("pcr commitment", hx(sponge(10, "medzk/commit", pcr)))
    # The codes record of the immunization above: manufacturer and vaccine type, the
    # immunization's date, holder and issuer, value 1 (its kind), salt 123456789 + 1.
    codes = [
        7,                                               # kind: codes
        holder,
        text("medzk/code", "https://spor.ema.europa.eu/v1/organisations|ORG-100030215"),
        day("2026-03-14"),
        1,                                               # value: the kind it completes
        0,
        text("medzk/code", "http://snomed.info/sct|1119349007"),
        text("medzk/issuer", "clinic:oslo-1"),
        123456790,                                       # salt: the immunization's + 1
    ]
    print("codes commitment", hx(sponge(10, "medzk/commit", codes)))
