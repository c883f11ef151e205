"""Learning curves: the history kept from progress events, the terminal chart, the PNG."""

from __future__ import annotations

import struct
import zlib

import pytest

from grader.curves import (
    COLOURS,
    History,
    clean_event,
    describe_event,
    sparkline,
    text_chart,
    text_summary,
    write_png,
)
from grader.errors import UserError


def _history(epochs: int = 4) -> History:
    history = History()
    for epoch in range(1, epochs + 1):
        logs = {"loss": 2.0 / epoch, "accuracy": 1 - 0.4 / epoch}
        history({"epoch": epoch, "epochs": epochs, "logs": logs})
    return history


def _read_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB rows (filter bytes dropped) of an 8-bit RGB PNG; checks CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, size = 8, b"", None
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        tag, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(tag + body), tag
        if tag == b"IHDR":
            size = struct.unpack(">IIBBBBB", body)[:2]
            assert struct.unpack(">IIBBBBB", body)[2:4] == (8, 2)
        elif tag == b"IDAT":
            idat += body
        at += 12 + length
    width, height = size
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + 3 * width)
    rows = b"".join(raw[y * (1 + 3 * width) + 1 : (y + 1) * (1 + 3 * width)] for y in range(height))
    return width, height, rows


def test_history_keeps_each_metric_per_epoch():
    history = _history(3)
    assert history.epochs == [1, 2, 3]
    assert history.metrics["loss"] == pytest.approx([2.0, 1.0, 2 / 3])
    assert history.total == 3


def test_history_keeps_the_first_run_when_the_checks_train_again():
    history = _history(3)
    history({"epoch": 1, "epochs": 2, "logs": {"loss": 0.5}})
    history({"epoch": 2, "epochs": 2, "logs": {"loss": 0.4}})
    assert history.epochs == [1, 2, 3]
    assert history.metrics["loss"] == pytest.approx([2.0, 1.0, 2 / 3])


def test_history_skips_progress_within_an_epoch():
    history = History()
    history({"epoch": 1, "epochs": 2, "step": 5, "steps": 10, "logs": {"loss": 2.2}})
    history({"epoch": 1, "epochs": 2, "logs": {"loss": 2.0}})
    history({"epoch": 2, "epochs": 2, "step": 1, "steps": 10, "logs": {"loss": 1.9}})
    assert (history.epochs, history.metrics) == ([1], {"loss": [2.0]})


def test_events_from_the_sandbox_keep_only_numbers_and_plain_names():
    event = clean_event({
        "epoch": 2, "epochs": True, "step": -1, "steps": 10**12,
        "logs": {"loss": 0.5, "[red]x[/red]": 1.0, "acc": "0.9", "x" * 60: 1.0, "big": 1e999},
    })  # fmt: skip
    assert event == {"epoch": 2, "epochs": None, "step": None, "steps": None,
                     "logs": {"loss": 0.5}}  # fmt: skip
    assert describe_event(event) == "epoch 2/?  loss 0.5000"
    assert clean_event({"epoch": "2", "logs": {}}) is None
    assert clean_event(["epoch", 1]) is None


def test_history_ignores_malformed_events_and_non_numbers():
    history = History()
    history({"epoch": "one", "logs": {"loss": 1.0}})
    history({"epoch": 1, "logs": {"loss": float("nan"), "note": "x", "accuracy": 0.5}})
    assert history.epochs == [1]
    assert history.metrics == {"accuracy": [0.5]}


def test_sparkline_runs_from_lowest_to_highest():
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert sparkline([3.0, 3.0]) == "▁▁"


def test_text_summary_gives_first_and_last_values():
    lines = text_summary(_history(4))
    assert lines[0].startswith("loss") and lines[0].endswith("0.500")
    assert "2.000" in lines[0] and "█" in lines[0]


def test_text_chart_draws_the_losses_for_every_epoch():
    history = _history(4)
    history.metrics["val_loss"] = [1.5, 1.2, 1.0, 0.9]
    lines = text_chart(history, height=11).splitlines()
    assert lines[0].startswith(" 2.00 ┤")  # the scale's top
    assert "1   2   3   4" in lines[-2] and "epoch" in lines[-2]
    assert "• loss" in lines[-1] and "+ val_loss" in lines[-1]
    assert "accuracy" not in lines[-1]  # another scale: text_summary shows it
    plotted = "".join(lines[:11])
    assert plotted.count("•") + plotted.count("*") == 4
    assert text_chart(History()) == ""


def test_write_png_draws_each_metric_in_its_colour(tmp_path):
    path = tmp_path / "curve.png"
    write_png(_history(5), path, width=320, height=200)
    width, height, rgb = _read_png(path.read_bytes())
    assert (width, height) == (320, 200)
    pixels = {rgb[i : i + 3] for i in range(0, len(rgb), 3)}
    assert bytes(COLOURS[0]) in pixels and bytes(COLOURS[1]) in pixels
    assert bytes((255, 255, 255)) in pixels


def test_write_png_without_epochs_says_there_is_no_curve(tmp_path):
    with pytest.raises(UserError, match="no training epochs"):
        write_png(History(), tmp_path / "curve.png")


def test_write_png_into_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot write the plot"):
        write_png(_history(2), tmp_path / "missing" / "curve.png")


def test_the_progress_display_shows_the_graders_notes_but_no_text_from_the_sandbox():
    import io

    from rich.console import Console

    from grader.cli.verdict import training_bar
    from grader.curves import Stage

    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=100)
    with training_bar(console, "Grading finetune ...") as report:
        report(Stage("Building the pretrained base model ..."))
        report({"stage": "\x1b[2J all checks passed", "epoch": 1, "epochs": 2,
                "logs": {"loss": 0.5}})  # fmt: skip
    shown = out.getvalue()
    assert "Building the pretrained base model ..." in shown
    assert "epoch 1/2" in shown and "all checks passed" not in shown and "\x1b" not in shown


def test_the_epoch_bar_keeps_the_name_of_the_training_run_under_way():
    import io
    import time

    from rich.console import Console

    from grader.cli.verdict import training_bar
    from grader.curves import Stage

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    with training_bar(console, "Grading pipeline ...") as report:
        report(Stage("your pipeline, run 2 of 2 - leak check"))
        report({"epoch": 1, "epochs": 6, "logs": {"loss": 0.5}})
        time.sleep(0.3)  # rich redraws the bar ten times a second
    lines = [line for line in out.getvalue().splitlines() if "epoch 1/6" in line]
    assert lines and all("run 2 of 2 - leak check" in line for line in lines), out.getvalue()
