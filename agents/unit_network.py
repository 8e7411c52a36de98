"""The soldiers' unit network: a Watts-Strogatz ring within each unit, built as CSR by compiled loops.

Slot i belongs to unit ``i // unit_size``. Each slot is tied to the ``ties/2`` next slots of its
unit on a ring (wrapping within the unit); each tie is rewired with ``rewire_prob`` to a random
slot of the same unit. The network is symmetric, with no self-ties and no tie counted twice.
Building a 10^6-node Watts-Strogatz graph with networkx takes seconds and gigabytes; here numpy
draws the random numbers and numba's loops count each row's ties, fill and sort the rows: no
global sort of millions of ties (`adjacency_from_graph` takes a networkx graph where one is
wanted instead).
"""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp


def unit_ties(
    n_slots: int, unit_size: int, ties: int, rewire_prob: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The unit network's CSR structure: row pointers and column indices (ascending per row).

    For each ring offset 1..ties/2 in turn, every slot draws whether its tie is rewired, then
    every slot draws the random place it would be rewired to (two float64 draws per slot and
    offset, drawn for every slot whether used or not).

    Args:
        n_slots: Number of soldier slots (a multiple of unit_size is not required).
        unit_size: Slots per unit.
        ties: Ties per slot before symmetrising (even).
        rewire_prob: Chance each tie is rewired within the unit.
        rng: numpy Generator.

    Returns:
        indptr (n_slots + 1) and indices, int32 while they fit, else int64.

    """
    index = np.int32 if max(n_slots, 1) * max(ties, 1) < 2**31 else np.int64
    targets = np.empty((ties // 2, n_slots), dtype=index)
    rewire_draws = np.empty(n_slots)
    place_draws = np.empty(n_slots)
    for k in range(ties // 2):
        rng.random(out=rewire_draws)
        rng.random(out=place_draws)
        _ring_targets(k + 1, unit_size, rewire_prob, rewire_draws, place_draws, targets[k])
    return _symmetric_csr(targets, unit_size)


def unit_network(
    n_slots: int, unit_size: int, ties: int, rewire_prob: float, rng: np.random.Generator
) -> sp.csr_array:
    """The unit network (`unit_ties`) as a symmetric 0/1 float32 CSR matrix of n_slots x n_slots."""
    indptr, indices = unit_ties(n_slots, unit_size, ties, rewire_prob, rng)
    return sp.csr_array(
        (np.ones(indices.size, dtype=np.float32), indices, indptr), shape=(n_slots, n_slots)
    )


def adjacency_from_graph(graph: nx.Graph, n_slots: int) -> sp.csr_array:
    """The 0/1 CSR adjacency of a networkx graph on nodes 0..k-1, padded to ``n_slots`` slots."""
    adj = nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), format="coo")
    return sp.csr_array(
        (np.ones(adj.nnz, dtype=np.float32), (adj.row, adj.col)), shape=(n_slots, n_slots)
    )


#: Indices read from arrays are cast to this unsigned type: numba wraps negative signed indices
#: around on every access, which it cannot prove away for them (see agents/soldier_kernel.py).
_at = np.uint64


@numba.njit(cache=True)
def number_units(units: np.ndarray, first_slot: int, unit_size: int):
    """Write into ``units`` the unit of each slot from ``first_slot`` on: slot // unit_size."""
    unit, place = divmod(first_slot, unit_size)
    for j in range(units.size):
        units[j] = unit
        place += 1
        if place == unit_size:
            unit += 1
            place = 0


@numba.njit(cache=True)
def _ring_targets(
    offset: int,
    unit_size: int,
    rewire_prob: float,
    rewire_draws: np.ndarray,
    place_draws: np.ndarray,
    targets: np.ndarray,
):
    """Each slot's mate at ``offset`` along its unit's ring, or the rewired one; itself if none.

    The last unit may be short; its ring wraps within its own slots. A rewired place is
    floor(draw x the unit's size), as numpy's cast of the float64 product truncates it.
    """
    n_slots = targets.size
    for start in range(0, n_slots, unit_size):
        size = min(unit_size, n_slots - start)
        for local in range(size):
            i = start + local
            target = local + offset
            while target >= size:  # offset < unit_size, but the last unit may be shorter
                target -= size
            if rewire_draws[i] < rewire_prob:
                target = int(place_draws[i] * size)
            targets[i] = start + target


def _symmetric_csr(targets: np.ndarray, unit_size: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows of the ties (i, targets[k, i]) in both directions, sorted, without repeats.

    Row by row (`_fill_rows`): a slot's mates are the slots behind it on the ring whose tie still
    points to it, its own targets, and the slots whose tie was rewired to it (`_rewired_to`).
    The rows are written into arrays numpy allocates: numpy asks the kernel for huge pages for
    large arrays, and in this project's virtual machines first touching 33 MB of small pages
    costs more than filling them (benchmarks/README.md).
    """
    n_offsets, n_slots = targets.shape
    incoming_start, incoming = _rewired_to(targets, unit_size)
    indptr = np.empty(n_slots + 1, dtype=targets.dtype)
    indices = np.empty(n_slots * 2 * n_offsets + incoming.size, dtype=targets.dtype)
    kept = _fill_rows(targets, unit_size, incoming_start, incoming, indptr, indices)
    return indptr, indices[:kept]


@numba.njit(cache=True)
def _rewired_to(targets: np.ndarray, unit_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The ties rewired off the ring, by the slot they now reach: a counting sort, CSR-like.

    Returns:
        Row pointers and, for each slot, the slots whose rewired tie reaches it.

    """
    n_offsets, n_slots = targets.shape
    start_of = np.zeros(n_slots + 1, dtype=targets.dtype)
    for counting in (True, False):
        if not counting:
            for i in range(n_slots):
                start_of[i + 1] += start_of[i]
            sources = np.empty(start_of[n_slots], dtype=targets.dtype)
            fill = start_of[:-1].copy()
        for start in range(0, n_slots, unit_size):
            size = min(unit_size, n_slots - start)
            for k in range(n_offsets):
                for local in range(size):
                    i = start + local
                    ring = local + k + 1
                    while ring >= size:
                        ring -= size
                    target = targets[k, i]
                    if target == i or target == start + ring:
                        continue
                    if counting:
                        start_of[_at(target + 1)] += 1
                    else:
                        sources[_at(fill[_at(target)])] = i
                        fill[_at(target)] += 1
    return start_of, sources


@numba.njit(cache=True)
def _fill_rows(
    targets: np.ndarray,
    unit_size: int,
    incoming_start: np.ndarray,
    incoming: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
) -> int:
    """Write each slot's sorted mates, each once, into ``indices``; returns how many."""
    n_offsets, n_slots = targets.shape
    most_incoming = 0
    for i in range(n_slots):
        most_incoming = max(most_incoming, incoming_start[i + 1] - incoming_start[i])
    row = np.empty(2 * n_offsets + most_incoming, dtype=targets.dtype)
    indptr[0] = 0
    kept = 0
    for start in range(0, n_slots, unit_size):
        size = min(unit_size, n_slots - start)
        for local in range(size):
            i = start + local
            # Behind-first and farthest-first: most rows come out sorted.
            m = 0
            for k in range(n_offsets - 1, -1, -1):
                behind = local - k - 1
                while behind < 0:
                    behind += size
                j = start + behind
                if j != i and targets[_at(k), _at(j)] == i:
                    row[m] = j
                    m += 1
            for k in range(n_offsets):
                target = targets[k, i]
                if target != i:
                    row[m] = target
                    m += 1
            for p in range(_at(incoming_start[i]), _at(incoming_start[i + 1])):
                row[m] = incoming[p]
                m += 1
            # Insertion sort of the short row, then each mate once.
            for p in range(1, m):
                mate = row[p]
                q = p
                while q > 0 and row[_at(q - 1)] > mate:
                    row[_at(q)] = row[_at(q - 1)]
                    q -= 1
                row[_at(q)] = mate
            for p in range(m):
                if p == 0 or row[p] != row[_at(p - 1)]:
                    indices[kept] = row[p]
                    kept += 1
            indptr[i + 1] = kept
    return kept
