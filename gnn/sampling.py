"""Neighbour-sampled training for graphs whose full propagation does not fit the memory budget: each batch
propagates over the L-hop computation graph of its own users and items only, with at most `fanouts[l]` neighbours
per node at hop l (GraphSAGE-style sampling, Hamilton et al., 2017), arrays in and arrays out.

A node with more neighbours than its hop's fanout keeps `fanout` of them, drawn uniformly with replacement, each
edge's weight scaled by degree / fanout, so that a sampled row of A x is an unbiased estimate of the full one. The
seeds' final embeddings then cost O(batch x fanouts) instead of O(edges), whatever the graph's size.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

# Bytes of full-graph training per node and embedding dimension (float32): the weights, their gradient, Adam's two
# moments, each layer's output and the running mean; and per stored edge of the sparse matrix (value, column index).
_BYTES_PER_NODE_DIM = 4 * 6
_BYTES_PER_EDGE = 12


def full_graph_megabytes(num_nodes: int, dim: int, num_layers: int, num_edges: int) -> float:
    """An estimate of the memory that full-graph training takes (the batch's own tensors aside)."""
    per_node = _BYTES_PER_NODE_DIM + 4 * num_layers
    return (num_nodes * dim * per_node + num_edges * _BYTES_PER_EDGE) / 2**20


@dataclass(frozen=True)
class Subgraph:
    """A batch's computation graph: its nodes (unified indexes, sorted), the sampled matrix over them and its
    transpose (local indexes)."""

    nodes: Tensor
    matrix: Tensor
    transposed: Tensor

    def local(self, unified: Tensor) -> Tensor:
        """Positions in `nodes` of unified indexes that are among them."""
        return torch.searchsorted(self.nodes, unified)


class NeighbourSampler:
    """Samples computation graphs from the full normalised adjacency (a CSR tensor)."""

    def __init__(self, adjacency: Tensor, fanouts: Sequence[int], seed: int = 0) -> None:
        self.indptr = adjacency.crow_indices().cpu().numpy()
        self.indices = adjacency.col_indices().cpu().numpy()
        self.values = adjacency.values().cpu().numpy().astype(np.float32)
        self.num_nodes = adjacency.shape[0]
        self.fanouts = list(fanouts)
        self.rng = np.random.default_rng(seed)

    def sample(self, seeds: np.ndarray, device: torch.device | str = "cpu") -> Subgraph:
        """The computation graph of `seeds` (unified indexes) over len(fanouts) hops."""
        frontier = np.unique(seeds)
        expanded = np.zeros(self.num_nodes, dtype=bool)
        rows, cols, values = [], [], []
        nodes = [frontier]
        for fanout in self.fanouts:
            frontier = frontier[~expanded[frontier]]
            expanded[frontier] = True
            r, c, v = self._neighbours(frontier, fanout)
            rows.append(r)
            cols.append(c)
            values.append(v)
            frontier = np.unique(c)
            nodes.append(frontier)
        every = np.unique(np.concatenate(nodes))
        row, col = np.searchsorted(every, np.concatenate(rows)), np.searchsorted(every, np.concatenate(cols))
        value = np.concatenate(values)
        size = (len(every), len(every))
        with warnings.catch_warnings():  # "sparse CSR support is in beta": the one kernel used here is stable
            warnings.simplefilter("ignore", UserWarning)
            matrix = _csr(row, col, value, size, device)
            transposed = _csr(col, row, value, size, device)
        return Subgraph(torch.as_tensor(every, device=device), matrix, transposed)

    def _neighbours(self, frontier: np.ndarray, fanout: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every neighbour of the frontier's nodes of degree <= fanout; `fanout` drawn ones of the others."""
        start, degree = self.indptr[frontier], self.indptr[frontier + 1] - self.indptr[frontier]
        whole = degree <= fanout
        counts = degree[whole]
        offsets = np.repeat(start[whole] - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
        drawn = frontier[~whole]
        picks = start[~whole, None] + (self.rng.random((len(drawn), fanout)) * degree[~whole, None]).astype(np.int64)
        scale = np.repeat(degree[~whole] / fanout, fanout).astype(np.float32)
        return (
            np.r_[np.repeat(frontier[whole], counts), np.repeat(drawn, fanout)],
            np.r_[self.indices[offsets], self.indices[picks.ravel()]],
            np.r_[self.values[offsets], self.values[picks.ravel()] * scale],
        )


def _csr(
    row: np.ndarray, col: np.ndarray, value: np.ndarray, size: tuple[int, int], device: torch.device | str
) -> Tensor:
    """A CSR tensor from COO arrays (duplicates summed: an edge drawn twice counts twice)."""
    index = torch.as_tensor(np.stack([row, col]), dtype=torch.int64)
    coo = torch.sparse_coo_tensor(index, torch.as_tensor(value), size).coalesce()
    return coo.to_sparse_csr().to(device)
