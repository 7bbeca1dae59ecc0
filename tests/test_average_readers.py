"""training/average_readers.py: the weighted mean of runs of the same model, and a refusal for different models."""
from __future__ import annotations


import pytest
import torch


from average_readers import average


def test_runs_are_averaged_tensor_by_tensor_with_their_weights():
    first = {"layer.weight": torch.tensor([1.0, 3.0]), "head.bias": torch.tensor([0.0])}
    second = {"layer.weight": torch.tensor([3.0, 5.0]), "head.bias": torch.tensor([4.0])}
    equal = average([first, second], [1.0, 1.0])
    assert torch.equal(equal["layer.weight"], torch.tensor([2.0, 4.0])) and torch.equal(equal["head.bias"], torch.tensor([2.0]))
    leaning = average([first, second], [3.0, 1.0])
    assert torch.equal(leaning["layer.weight"], torch.tensor([1.5, 3.5]))


def test_runs_of_different_models_are_refused():
    with pytest.raises(ValueError, match="same weights"):
        average([{"a": torch.zeros(1)}, {"b": torch.zeros(1)}], [1.0, 1.0])
