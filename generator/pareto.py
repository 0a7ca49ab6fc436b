"""Pareto machinery on (error, cost): dominance, NSGA-II's sort and crowding, the archive.

Objectives are minimised. ``nondominated_sort`` is Deb et al.'s fast non-dominated sort
(NSGA-II, 2002); ``crowding_distance`` its density estimate; ``Archive`` keeps the best
(lowest-error) program seen at each cost, i.e. the search's running Pareto front.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def dominates(a, b) -> bool:
    """a is no worse than b in every objective and better in one."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def nondominated_sort(points) -> list[list[int]]:
    """Indices of points grouped into fronts: front 0 is non-dominated, front 1 is
    non-dominated once front 0 is removed, and so on. Within a front, index order."""
    points = [tuple(p) for p in points]
    n = len(points)
    dominated_by = [[] for _ in range(n)]  # i dominates these
    count = [0] * n  # how many dominate i
    for i in range(n):
        for j in range(i + 1, n):
            if dominates(points[i], points[j]):
                dominated_by[i].append(j)
                count[j] += 1
            elif dominates(points[j], points[i]):
                dominated_by[j].append(i)
                count[i] += 1
    fronts, current = [], [i for i in range(n) if count[i] == 0]
    while current:
        fronts.append(current)
        nxt = []
        for i in current:
            for j in dominated_by[i]:
                count[j] -= 1
                if count[j] == 0:
                    nxt.append(j)
        current = sorted(nxt)
    return fronts


def crowding_distance(points, front: list[int]) -> dict[int, float]:
    """NSGA-II crowding distance of each index of one front (boundary points: infinite)."""
    dist = {i: 0.0 for i in front}
    if len(front) <= 2:
        return {i: math.inf for i in front}
    pts = np.asarray([points[i] for i in front], np.float64)
    for m in range(pts.shape[1]):
        order = np.argsort(pts[:, m], kind="stable")
        lo, hi = pts[order[0], m], pts[order[-1], m]
        dist[front[order[0]]] = dist[front[order[-1]]] = math.inf
        if hi == lo or not math.isfinite(hi - lo):
            continue
        for k in range(1, len(front) - 1):
            dist[front[order[k]]] += (pts[order[k + 1], m] - pts[order[k - 1], m]) / (hi - lo)
    return dist


def nsga2_select(points, k: int) -> list[int]:
    """NSGA-II survivor selection: the k indices taken front by front, the last front cut
    by decreasing crowding distance (ties by index, so the choice is deterministic)."""
    chosen: list[int] = []
    for front in nondominated_sort(points):
        if len(chosen) + len(front) <= k:
            chosen += front
            continue
        dist = crowding_distance(points, front)
        chosen += sorted(front, key=lambda i: (-dist[i], i))[: k - len(chosen)]
        break
    return chosen


def ranks_and_crowding(points) -> tuple[list[int], list[float]]:
    """Each point's front number and crowding distance (for tournament selection)."""
    rank, crowd = [0] * len(points), [0.0] * len(points)
    for r, front in enumerate(nondominated_sort(points)):
        for i, d in crowding_distance(points, front).items():
            rank[i], crowd[i] = r, d
    return rank, crowd


@dataclass(frozen=True)
class Origin:
    """Where an archive member comes from: its birth (the child's number in the run), the
    generation that made it and its lineage ((birth, mutation), ...) from the first program."""
    birth: int = 0
    generation: int = 0
    lineage: tuple = ()

    def to_dict(self) -> dict:
        return {"birth": self.birth, "generation": self.generation, "lineage": [list(x) for x in self.lineage]}

    @classmethod
    def from_dict(cls, d: dict) -> "Origin":
        return cls(d["birth"], d["generation"], tuple(tuple(x) for x in d["lineage"]))


@dataclass(frozen=True)
class ArchiveMember:
    """A program the archive keeps, with its cost, its error and its origin."""
    cost: int
    error: float
    program: object
    origin: Origin = Origin()


class Archive:
    """The best member at each cost. A member is kept only if no cheaper-or-equal member
    has a lower-or-equal error (so the archive is the Pareto front of everything offered
    to it)."""

    def __init__(self):
        self.members: dict[int, ArchiveMember] = {}

    def offer(self, cost: int, error: float, program, origin: Origin = Origin()) -> bool:
        if not math.isfinite(error):
            return False
        if any(m.cost <= cost and m.error <= error for m in self.members.values()):
            return False
        self.members = {c: m for c, m in self.members.items() if not (c >= cost and m.error >= error)}
        self.members[cost] = ArchiveMember(cost, error, program, origin)
        return True

    def front(self) -> list[ArchiveMember]:
        """The members, cheapest first."""
        return [self.members[c] for c in sorted(self.members)]

    def __len__(self):
        return len(self.members)
