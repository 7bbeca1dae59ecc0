"""The bundled E5's layers exported to ONNX Runtime, for the engine benchmarks (`benchmarks/embedding_engines.py`,
`benchmarks/reader_engines.py`). Word vectors are looked up outside (the 4-bit table is read in numpy, as in torch);
inside are the embedding norm, the layers and a head: mean pooling for passages, the span head for the reader."""
from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from torch import nn

OPSET = 17


class AfterWordLookup(nn.Module):
    """Word vectors and mask -> `head(final token states, mask)`; a head with weights must be a module (its weights
    are then the export's parameters)."""

    def __init__(self, encoder: nn.Module, head):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, words: torch.Tensor, mask: torch.Tensor):
        encoder = self.encoder
        positions = torch.arange(words.shape[1])
        x = encoder.embedding_norm(words + encoder.position(positions)[None] + encoder.token_type)
        blocked = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(mask == 0, torch.finfo(x.dtype).min)[:, None, None, :]
        for layer in encoder.layers:
            x = layer(x, blocked)
        return self.head(x, mask)


def onnx_session(encoder: nn.Module, head, output_names: list[str], int8: bool, threads: int):
    """An ONNX Runtime session (inputs "words" [batch, length, hidden] and "mask") for the encoder's layers and the
    head; `int8`: weights quantised per channel by ONNX Runtime's dynamic quantisation. Needs onnxruntime and onnx."""
    import onnxruntime

    folder = Path(tempfile.mkdtemp(prefix="qa-onnx-"))
    path = folder / "model.onnx"
    words, mask = torch.zeros(2, 8, encoder.config.hidden), torch.ones(2, 8, dtype=torch.int64)
    torch.onnx.export(
        AfterWordLookup(encoder, head).eval(), (words, mask), str(path), input_names=["words", "mask"], output_names=output_names,
        dynamic_axes={"words": {0: "batch", 1: "length"}, "mask": {0: "batch", 1: "length"}}, opset_version=OPSET, dynamo=False,
    )
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantised = folder / "model-int8.onnx"
        quantize_dynamic(str(path), str(quantised), per_channel=True, weight_type=QuantType.QInt8)
        path = quantised
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
