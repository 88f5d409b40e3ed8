"""Neighbour-sampled propagation: exact when the fanout covers every neighbour, unbiased when it does not, with
gradients that reach the sampled nodes."""

from __future__ import annotations

import numpy as np
import torch

from gnn.model import normalized_adjacency, propagate
from gnn.sampling import NeighbourSampler


def random_graph(num_nodes: int = 300, num_edges: int = 1_500, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, num_nodes, num_edges), rng.integers(0, num_nodes, num_edges)
    a, b = a[a != b], b[a != b]
    key = np.unique(np.r_[a * num_nodes + b, b * num_nodes + a])
    edges = torch.as_tensor(np.stack([key // num_nodes, key % num_nodes]))
    kinds = torch.as_tensor(rng.integers(0, 2, edges.shape[1]))
    return normalized_adjacency(edges, kinds, [1.0, 0.5], num_nodes)


def test_a_fanout_over_every_degree_gives_the_full_propagation_at_the_seeds() -> None:
    adjacency = random_graph(num_nodes=2_000, num_edges=2_500)
    x = torch.randn(adjacency.shape[0], 8)
    full = propagate(x, adjacency, 3)
    seeds = np.array([0, 5, 17, 42, 1999, 5])
    graph = NeighbourSampler(adjacency, [1_000] * 3).sample(seeds)
    sampled = propagate(x[graph.nodes], graph.matrix, 3, graph.transposed)
    assert len(graph.nodes) < adjacency.shape[0]  # the 3-hop neighbourhood, not the whole graph
    at_seeds = sampled[graph.local(torch.as_tensor(seeds))]
    assert torch.allclose(at_seeds, full[seeds], atol=1e-5)


def test_a_small_fanout_is_an_unbiased_estimate_and_gradients_reach_the_sampled_nodes() -> None:
    adjacency = random_graph(num_edges=3_000)
    x = torch.randn(adjacency.shape[0], 4)
    seeds = np.array([1, 2, 3])
    full = propagate(x, adjacency, 1)[seeds]
    sampler = NeighbourSampler(adjacency, [3], seed=1)
    total = torch.zeros_like(full)
    draws = 2_000
    for _ in range(draws):
        graph = sampler.sample(seeds)
        total += propagate(x[graph.nodes], graph.matrix, 1, graph.transposed)[graph.local(torch.as_tensor(seeds))]
    assert torch.allclose(total / draws, full, atol=0.03)
    degrees = (adjacency.crow_indices()[1:] - adjacency.crow_indices()[:-1])[seeds]
    assert degrees.min() > 3  # every seed's row was sampled, not read whole

    leaf = x.clone().requires_grad_()
    graph = sampler.sample(seeds)
    ego = leaf[graph.nodes]
    propagate(ego, graph.matrix, 2, graph.transposed)[graph.local(torch.as_tensor(seeds))].sum().backward()
    touched = torch.nonzero(leaf.grad.abs().sum(dim=1)).ravel()
    assert set(seeds) <= set(touched.tolist()) and len(touched) > len(seeds)
    assert set(touched.tolist()) <= set(graph.nodes.tolist())
