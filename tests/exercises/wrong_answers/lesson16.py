"""Lesson 16: ZlibCodec compresses each whole payload into a new one marked binary/zlib, and decodes
only what it marked."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

ENCODE = """        return [
            Payload(metadata={"encoding": ENCODING}, data=zlib.compress(payload.SerializeToString()))
            for payload in payloads
        ]
"""
DECODE = """        return [
            Payload.FromString(zlib.decompress(payload.data))
            if payload.metadata.get("encoding") == ENCODING
            else payload
            for payload in payloads
        ]
"""

WRONG_ANSWERS = [
    WrongAnswer(
        "payloads passed through unchanged (the skeleton)",
        solution_with(
            "16", (ENCODE, "        return list(payloads)\n"), (DECODE, "        return list(payloads)\n")
        ),
        ("readable and uncompressed", "{'encoding': b'binary/zlib'}"),
    ),
    WrongAnswer(
        "the data compressed, the metadata kept",
        solution_with(
            "16",
            (
                ENCODE,
                "        return [Payload(metadata=p.metadata, data=zlib.compress(p.data))\n"
                "                for p in payloads]\n",
            ),
            (
                DECODE,
                "        return [Payload(metadata=p.metadata, data=zlib.decompress(p.data))\n"
                "                for p in payloads]\n",
            ),
        ),
        ("marked 'json/plain'", "which is not what those bytes are"),
    ),
    WrongAnswer(
        "decode forgets to decompress",
        solution_with(
            "16", ("Payload.FromString(zlib.decompress(payload.data))", "Payload.FromString(payload.data)")
        ),
        ("could not decode the note", "decode must give back exactly the payload"),
    ),
    WrongAnswer(
        "marked binary/zlib but not compressed",
        solution_with(
            "16", ("data=zlib.compress(payload.SerializeToString())", "data=payload.SerializeToString()")
        ).replace("Payload.FromString(zlib.decompress(payload.data))", "Payload.FromString(payload.data)"),
        ("that is not compressed", "zlib.compress"),
    ),
    # Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
    outsider_wrong(
        "lesson16_wrong_1", "Unknown payload encoding <unknown>", "decode must give back exactly the payload"
    ),
    outsider_wrong("lesson16_wrong_2", "encode changed the payload it was given", "Build a new Payload"),
    outsider_wrong(
        "lesson16_wrong_3", "decode changed a payload it had not encoded", "Decode only payloads marked"
    ),
    outsider_wrong("lesson16_wrong_4", "did not recognise its own encoding", "metadata values are bytes"),
    outsider_wrong("lesson16_wrong_5", "encode left a 30-byte payload as it was", "whatever its size"),
    outsider_wrong(
        "lesson16_wrong_6",
        "copied the original payload's metadata (messageType)",
        "only {'encoding': b'binary/zlib'}",
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson16_right_1")]

# What the notebook's untouched exercise cell gets told.
SKELETON_REASONS = ("readable and uncompressed", "binary/zlib")
