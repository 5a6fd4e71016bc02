"""The notebook runner reads outputs as the page shows them, so a key-output check cannot fail on
how the kernel happened to batch a print (CI saw that once: lesson 09, pass 2)."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbrun import output_text


def test_a_print_split_across_stream_messages_reads_as_one_line() -> None:
    cell = new_code_cell(
        outputs=[
            new_output("stream", name="stdout", text="dynamic box, 'recieved':"),
            new_output("stream", name="stdout", text=" nothing received as 'recieved'\n"),
            new_output("stream", name="stderr", text="a warning\n"),
            new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m later\n"),
        ]
    )
    text = output_text(new_notebook(cells=[cell]))
    assert "dynamic box, 'recieved': nothing received as 'recieved'" in text
    assert text.endswith("a warning\n\nred later\n"), "other streams stay apart; colour codes go"


def test_outputs_of_different_cells_stay_apart() -> None:
    cells = [new_code_cell(outputs=[new_output("stream", name="stdout", text=t)]) for t in ("one", "two")]
    assert output_text(new_notebook(cells=cells)) == "one\ntwo"
