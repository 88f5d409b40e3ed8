"""Knowledge-aware LightGCN: parameter-free propagation over the unified user-item-attribute graph, where each
relation type has its own weight inside the symmetric normalisation.

The normalised adjacency is built once as a sparse CSR matrix: one sparse-dense product per layer, whose backward
reuses A (A is symmetric; a sampled subgraph's matrix comes with its transpose, gnn.sampling). The relation
weights are hyper-parameters chosen on the validation split, so nothing in the matrix changes during training.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn


def normalized_adjacency(
    edge_index: Tensor,
    edge_type: Tensor,
    relation_weights: list[float],
    num_nodes: int,
) -> Tensor:
    """The sparse (CSR) matrix A with A[i, j] = w_r / sqrt(d_i d_j) for every edge (i, j) of relation r of a symmetric,
    deduplicated edge list, where d are the relation-weighted degrees."""
    weight = torch.tensor(relation_weights, dtype=torch.float32)[edge_type]
    degree = torch.zeros(num_nodes, dtype=torch.float32).index_add_(0, edge_index[0], weight)
    inv_sqrt = degree.clamp(min=1e-12).rsqrt()
    values = inv_sqrt[edge_index[0]] * weight * inv_sqrt[edge_index[1]]
    with warnings.catch_warnings():  # "sparse CSR support is in beta": the one kernel used here is stable
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_coo_tensor(edge_index, values, (num_nodes, num_nodes)).coalesce().to_sparse_csr()


class _SpMM(torch.autograd.Function):
    """y = A x for a sparse A whose transpose is given (A itself when symmetric): the gradient is A^T g, so backward
    needs no transposing of A."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, matrix: Tensor, transposed: Tensor, x: Tensor) -> Tensor:
        ctx.transposed = transposed  # type: ignore[attr-defined]
        return matrix @ x

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: Tensor) -> tuple[None, None, Tensor]:
        return None, None, ctx.transposed @ grad  # type: ignore[attr-defined]


def propagate(x: Tensor, matrix: Tensor, num_layers: int, transposed: Tensor | None = None) -> Tensor:
    """The mean of the layer outputs 0..L of x_{l+1} = A x_l (`transposed`: A^T when A is not symmetric, e.g. a
    sampled subgraph's). Runs in float32 even under autocast (sparse kernels have no half-precision path
    everywhere)."""
    with torch.autocast(device_type=x.device.type, enabled=False):
        total = x
        for _ in range(num_layers):
            x = _SpMM.apply(matrix, matrix if transposed is None else transposed, x)
            total = total + x
    return total / (num_layers + 1)


class KGLightGCN(nn.Module):
    """LightGCN (He et al., 2020) over users, items, genres and people with one weight per relation type.

    The final embedding is the mean of the layer outputs 0..L of x_{l+1} = A x_l. With `num_layers=0` it is
    plain matrix factorisation (BPR-MF).
    """

    def __init__(self, num_nodes: int, dim: int, num_layers: int, adjacency: Tensor) -> None:
        super().__init__()
        self.num_layers = num_layers
        self.embedding = nn.Embedding(num_nodes, dim)
        nn.init.xavier_uniform_(self.embedding.weight)  # as PyG's LightGCN: a small start that training grows
        self.register_buffer("adjacency", adjacency, persistent=False)

    def forward(self, adjacency: Tensor | None = None) -> Tensor:
        """Final embeddings of every node, propagated over the model's graph or over the adjacency given."""
        x = self.embedding.weight
        if self.num_layers == 0:
            return x
        return propagate(x, self.adjacency if adjacency is None else adjacency, self.num_layers)
