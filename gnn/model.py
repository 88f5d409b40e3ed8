"""Knowledge-aware LightGCN: parameter-free propagation over the unified user-item-attribute graph, where each
relation type has its own learnable weight inside the symmetric normalisation."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class KGLightGCN(nn.Module):
    """LightGCN (He et al., 2020) over users, items, genres and people with one weight per relation type.

    Edge (i, j) of relation r carries w_r / sqrt(d_i d_j), where d are the weighted degrees; the final embedding
    is the mean of the layer outputs 0..L. With `num_layers=0` it is plain matrix factorisation (BPR-MF).
    """

    def __init__(
        self,
        num_nodes: int,
        dim: int,
        num_layers: int,
        edge_index: Tensor,
        edge_type: Tensor,
        relation_weights: list[float],
        learn_relation_weights: bool = True,
    ) -> None:
        super().__init__()
        self.num_layers = num_layers
        self.embedding = nn.Embedding(num_nodes, dim)
        nn.init.normal_(self.embedding.weight, std=0.1)
        self.log_relation_weight = nn.Parameter(
            torch.log(torch.tensor(relation_weights, dtype=torch.float32)), requires_grad=learn_relation_weights
        )
        self.register_buffer("edge_index", edge_index, persistent=False)
        self.register_buffer("edge_type", edge_type, persistent=False)

    def relation_weights(self) -> Tensor:
        """The positive weight of each relation type."""
        return self.log_relation_weight.exp()

    def edge_weights(self, edge_index: Tensor, edge_type: Tensor) -> Tensor:
        """The normalised weight of every edge of a deduplicated, symmetric edge list."""
        num_nodes = self.embedding.num_embeddings
        weight = self.relation_weights()[edge_type]
        degree = torch.zeros(num_nodes, device=weight.device, dtype=weight.dtype).index_add_(0, edge_index[0], weight)
        inv_sqrt = degree.clamp(min=1e-12).rsqrt()
        return inv_sqrt[edge_index[0]] * weight * inv_sqrt[edge_index[1]]

    def forward(self, edge_index: Tensor | None = None, edge_type: Tensor | None = None) -> Tensor:
        """Final embeddings of every node, propagated over the model's graph or over the one given."""
        x = self.embedding.weight
        if self.num_layers == 0:
            return x
        edge_index = self.edge_index if edge_index is None else edge_index
        values = self.edge_weights(edge_index, self.edge_type if edge_type is None else edge_type)[:, None]
        row, col = edge_index
        total = x
        for _ in range(self.num_layers):
            x = torch.zeros_like(x).index_add_(0, row, x[col] * values)
            total = total + x
        return total / (self.num_layers + 1)
