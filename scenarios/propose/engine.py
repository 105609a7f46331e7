"""The search itself, on plain integers: a constructive phase and a local search.

Units are numbered ``0..n-1``; each free unit carries a weight (the share of it that is still to be
placed: 1, or what a kept start cluster does not hold of a split municipality). Clusters are sets
of free units. The cost of a plan is compared lexicographically:

1. ``hard``: per cluster, 1 + the relative size of each broken constraint (rule-set minimum with the
   lone-centrumstad exemption, scenario inhabitants and municipalities with "one municipality always
   fits", alignment with the comparison layer, two centrumsteden); contiguity is never broken (a
   move that would split its cluster is not made);
2. ``changed``: free units whose cluster label differs from their start label;
3. ``outside``: inhabitants outside their cluster's dominant region;
4. ``over_budget``: total requested subsidy above the budget (EUR);
5. ``cut``: adjacent pairs in different clusters (compactness).

Construction: start-plan pieces (start cluster x comparison region, connected parts; oversized
pieces broken into municipalities) are merged greedily, smallest deficient cluster first, preferring
a merge that is feasible, stays with the same start cluster and is smallest. The local search then
moves boundary units (keeping both clusters contiguous) and merges adjacent clusters while the cost
improves, in a seeded order, until no move improves or the deadline passes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scenarios.model import Centrumstad, ClusterFacts
from scenarios.rules import RuleSet, subsidy

Progress = Callable[[float, str], None]
EPS = 1e-9
SPLIT_MAX = 40  # clusters larger than this are not split in two (cubic cost); LNS handles them


@dataclass(frozen=True)
class Bounds:
    """The hard constraints of one proposal (from the rule set and the scenario)."""

    rule_min: int
    centrumstad_exempt: bool
    single_fits: bool
    min_population: int
    max_population: int  # 0 = none
    min_municipalities: int
    max_municipalities: int  # 0 = none
    alignment: float | None  # None = no comparison layer
    one_centrumstad: bool = True  # two centrumsteden in a cluster is a (rule-set) warning

    @property
    def floor(self) -> int:
        return max(self.rule_min, self.min_population)


@dataclass
class Problem:
    """Free units and what the search needs to know about them."""

    pop: list[float]  # inhabitants x weight
    nbrs: list[list[int]]  # adjacency among all units (free or not)
    free: list[bool]
    centrumstad: list[int]  # own inhabitants if a centrumstad, else 0
    regions: list[list[tuple[int, float]]]  # (region index, weight)
    start: list[int]  # start label (-1: none)
    rule_set: RuleSet
    budget: int
    fixed_subsidy: int = 0  # what kept clusters request


class Cl:
    """One cluster with running totals."""

    __slots__ = ("cs", "label", "members", "pop", "reg")

    def __init__(self, label: int) -> None:
        self.label = label
        self.members: set[int] = set()
        self.pop = 0.0
        self.reg: dict[int, float] = {}
        self.cs: list[int] = []


def _subsidy(pop: int, single: bool, cs: tuple[int, ...], rs: RuleSet) -> int:
    n = 1 if single else 2
    facts = ClusterFacts(
        cluster="x",
        name="x",
        members=tuple(str(i) for i in range(n)),
        population=pop,
        centrumsteden=tuple(Centrumstad(str(i), "c", p) for i, p in enumerate(cs)),
    )
    if single and len(cs) > 1:
        return 0
    return subsidy(facts, rs).amount_eur


class Search:
    def __init__(
        self,
        problem: Problem,
        bounds: Bounds,
        seed: int,
        deadline: float,
        progress: Progress | None = None,
    ) -> None:
        self.p = problem
        self.b = bounds
        self.rng = random.Random(seed)
        self.deadline = deadline
        self.progress = progress
        self.where: list[int] = [-1] * len(problem.pop)  # cluster id per unit (-1: not free)
        self.clusters: dict[int, Cl] = {}
        self._next = 0
        self.next_label = max([*problem.start, -1]) + 1
        self.timed_out = False
        self.moves = 0
        self._cache: dict[int, tuple[float, float, int]] = {}
        self._dirty: set[int] = set()
        self._sub_sum = 0
        self._sub_memo: dict[tuple[int, bool, tuple[int, ...]], int] = {}
        self._orig: dict[int, tuple[int, set[int]] | None] | None = None  # undo log

    # ------------------------------------------------------------------ cluster stats
    def stats(
        self, pop: float, n: int, reg: dict[int, float], cs: Sequence[int]
    ) -> tuple[float, float, int]:
        """(hard, outside, subsidy) of a cluster with these totals."""
        if n == 0:
            return 0.0, 0.0, 0
        b = self.b
        rp = round(pop)
        hard = 0.0
        alone_cs = n == 1 and len(cs) == 1
        if not (alone_cs and b.centrumstad_exempt) and rp < b.rule_min:
            hard += 1 + (b.rule_min - pop) / b.rule_min
        if not (b.single_fits and n == 1):
            if b.min_population and rp < b.min_population:
                hard += 1 + (b.min_population - pop) / b.min_population
            if b.max_population and rp > b.max_population:
                hard += 1 + (pop - b.max_population) / b.max_population
            if n < b.min_municipalities:
                hard += 1 + (b.min_municipalities - n)
        if b.max_municipalities and n > b.max_municipalities:
            hard += 1 + (n - b.max_municipalities)
        dom = max(reg.values()) if reg else 0.0
        outside = max(pop - dom, 0.0)
        if b.alignment is not None and pop > 0:
            share = dom / pop
            if share < b.alignment - 1e-12:
                hard += 1 + (b.alignment - share)
        if b.one_centrumstad and len(cs) >= 2:
            hard += 1
        key = (rp, n == 1, tuple(sorted(cs)))
        sub = self._sub_memo.get(key)
        if sub is None:  # 0 below the minimum
            sub = self._sub_memo[key] = _subsidy(*key, self.p.rule_set)
        return hard, outside, sub

    def _rule_error(self, rp: int, n: int, cs: Sequence[int]) -> bool:
        alone_cs = n == 1 and len(cs) == 1
        return not (alone_cs and self.b.centrumstad_exempt) and rp < self.b.rule_min

    def cl_stats(self, cid: int) -> tuple[float, float, int]:
        st = self._cache.get(cid)
        if st is None:
            c = self.clusters[cid]
            st = self.stats(c.pop, len(c.members), c.reg, c.cs)
            self._cache[cid] = st
            self._sub_sum += st[2]
            self._dirty.discard(cid)
        return st

    def _touch(self, cid: int) -> None:
        if self._orig is not None and cid not in self._orig:
            c = self.clusters.get(cid)
            self._orig[cid] = (c.label, set(c.members)) if c is not None else None
        st = self._cache.pop(cid, None)
        if st is not None:
            self._sub_sum -= st[2]
        self._dirty.add(cid)

    def _total_subsidy(self) -> int:
        for cid in sorted(self._dirty):
            if cid in self.clusters:
                self.cl_stats(cid)
        self._dirty.clear()
        return self.p.fixed_subsidy + self._sub_sum

    # ------------------------------------------------------------------ building
    def new_cluster(self, label: int) -> int:
        cid = self._next
        self._next += 1
        if self._orig is not None:
            self._orig[cid] = None  # did not exist before: undo deletes it
        self.clusters[cid] = Cl(label)
        return cid

    def add(self, cid: int, u: int) -> None:
        self._touch(cid)
        c = self.clusters[cid]
        c.members.add(u)
        c.pop += self.p.pop[u]
        for r, w in self.p.regions[u]:
            c.reg[r] = c.reg.get(r, 0.0) + self.p.pop[u] * w
        if self.p.centrumstad[u]:
            c.cs.append(self.p.centrumstad[u])
        self.where[u] = cid

    def remove(self, cid: int, u: int) -> None:
        self._touch(cid)
        c = self.clusters[cid]
        c.members.discard(u)
        c.pop -= self.p.pop[u]
        for r, w in self.p.regions[u]:
            v = c.reg.get(r, 0.0) - self.p.pop[u] * w
            if v <= 1e-6:
                c.reg.pop(r, None)
            else:
                c.reg[r] = v
        if self.p.centrumstad[u]:
            c.cs.remove(self.p.centrumstad[u])
        self.where[u] = -1
        if not c.members:
            del self.clusters[cid]

    def merge(self, a: int, b: int) -> int:
        """Merge clusters ``a`` and ``b``; the label of the one holding more of its start units
        survives."""
        ca, cb = self.clusters[a], self.clusters[b]
        keep_a = self._own(ca, ca.label) + self._own(cb, ca.label) >= self._own(
            ca, cb.label
        ) + self._own(cb, cb.label)
        label = ca.label if keep_a else cb.label
        for u in sorted(cb.members):
            self.remove(b, u)
            self.add(a, u)
        self.clusters[a].label = label
        return a

    def _own(self, c: Cl, label: int) -> int:
        return sum(1 for u in c.members if self.p.start[u] == label)

    # ------------------------------------------------------------------ helpers
    def connected_without(self, cid: int, u: int) -> bool:
        members = self.clusters[cid].members
        if len(members) <= 2:
            return True
        rest = members - {u}
        start = next(iter(rest))
        seen = {start}
        stack = [start]
        nbrs = self.p.nbrs
        while stack:
            x = stack.pop()
            for y in nbrs[x]:
                if y in rest and y not in seen:
                    seen.add(y)
                    stack.append(y)
        return len(seen) == len(rest)

    def neighbour_clusters(self, cid: int) -> list[int]:
        out = set()
        for u in self.clusters[cid].members:
            for v in self.p.nbrs[u]:
                w = self.where[v]
                if w >= 0 and w != cid:
                    out.add(w)
        return sorted(out)

    def totals(self) -> tuple[float, int, float, int, int]:
        hard = outside = 0.0
        sub = self.p.fixed_subsidy
        for cid in self.clusters:
            h, o, s = self.cl_stats(cid)
            hard += h
            outside += o
            sub += s
        # one cluster owns each start label (the one holding most of it), as in relabel()
        counts: dict[tuple[int, int], int] = {}
        n_start = 0
        for u, cid in enumerate(self.where):
            s = self.p.start[u]
            if cid >= 0 and s >= 0:
                n_start += 1
                counts[(s, cid)] = counts.get((s, cid), 0) + 1
        owned: dict[int, int] = {}
        for (s, _), n in counts.items():
            owned[s] = max(owned.get(s, 0), n)
        changed = n_start - sum(owned.values())
        cut = sum(
            1
            for u, cid in enumerate(self.where)
            if cid >= 0
            for v in self.p.nbrs[u]
            if v > u and self.where[v] >= 0 and self.where[v] != cid
        )
        return hard, changed, outside, max(sub - self.p.budget, 0), cut

    def _time_up(self) -> bool:
        if time.perf_counter() >= self.deadline:
            self.timed_out = True
            return True
        return False

    # ------------------------------------------------------------------ construction
    def construct(self, pieces: Sequence[tuple[int, Sequence[int]]]) -> None:
        """``pieces``: (start label, units), each connected. Oversized pieces are broken up."""
        b = self.b
        for label, units in pieces:
            pop = sum(self.p.pop[u] for u in units)
            over = (b.max_population and round(pop) > b.max_population) or (
                b.max_municipalities and len(units) > b.max_municipalities
            )
            if over and len(units) > 1:
                for u in sorted(units):
                    self.add(self.new_cluster(label), u)
            else:
                cid = self.new_cluster(label)
                for u in sorted(units):
                    self.add(cid, u)
        self._grow()

    def _deficient(self, c: Cl) -> bool:
        b = self.b
        n = len(c.members)
        rp = round(c.pop)
        if self._rule_error(rp, n, c.cs):
            return True
        if b.single_fits and n == 1:
            return False
        return (b.min_population > 0 and rp < b.min_population) or n < b.min_municipalities

    def _grow(
        self, noise: float = 0.0, scope: set[int] | None = None, patient: bool = False
    ) -> None:
        """Merge deficient clusters (of ``scope``, default all) into neighbours: first those
        merges that end feasible, or (``patient``) those that break no upper bound, alignment or
        centrumstad rule, so that small neighbours can grow together before a big one takes
        them."""
        stuck: set[int] = set()
        rng = self.rng
        active = set(self.clusters) if scope is None else set(scope)
        while True:
            active &= self.clusters.keys()
            cands = [
                (
                    self.clusters[cid].pop * (1 + noise * rng.random())
                    if noise
                    else self.clusters[cid].pop,
                    cid,
                )
                for cid in sorted(active)
                if cid not in stuck and self._deficient(self.clusters[cid])
            ]
            if not cands:
                return
            _, cid = min(cands)
            c = self.clusters[cid]
            h_c = self.cl_stats(cid)[0]
            best: tuple[tuple[int, int, float, float, int], int] | None = None
            for d in self.neighbour_clusters(cid):
                cd = self.clusters[d]
                h_d = self.cl_stats(d)[0]
                reg = dict(c.reg)
                for r, v in cd.reg.items():
                    reg[r] = reg.get(r, 0.0) + v
                pop = c.pop + cd.pop
                h, out, _ = self.stats(pop, len(c.members) + len(cd.members), reg, c.cs + cd.cs)
                if h >= h_c + h_d - EPS:
                    continue
                rank = pop * (1 + noise * rng.random()) if noise else pop
                n = len(c.members) + len(cd.members)
                first = self._beyond(pop, n, reg, c.cs + cd.cs) if patient else h > EPS
                key = (int(first), int(c.label != cd.label), out, rank, d)
                if best is None or key < best[0]:
                    best = (key, d)
            if best is None:
                stuck.add(cid)
                continue
            merged = self.merge(best[1], cid)
            active.add(merged)
            stuck.clear()

    # ------------------------------------------------------------------ local search
    def local_search(self) -> None:
        p = self.p
        free_units = [u for u in range(len(p.pop)) if self.where[u] >= 0]
        rounds = 0
        while not self._time_up():
            rounds += 1
            improved = False
            order = list(free_units)
            self.rng.shuffle(order)
            for i, u in enumerate(order):
                if i % 64 == 0 and self._time_up():
                    return
                if self._try_unit(u):
                    improved = True
            if self._try_merges():
                improved = True
            for cid in sorted(self.clusters):
                if cid in self.clusters and self._oversized(cid) and self._try_split(cid):
                    improved = True
            if self.progress is not None:
                h, ch, *_ = self.totals()
                self.progress(
                    min(0.3 + 0.02 * rounds, 0.5),
                    f"local search round {rounds}: {self.moves} moves, hard {h:.2f}, changed {ch}",
                )
            if not improved:
                return

    def _try_unit(self, u: int) -> bool:
        a = self.where[u]
        if a < 0:
            return False
        targets = sorted({self.where[v] for v in self.p.nbrs[u]} - {a, -1})
        if not targets:
            return False
        ca = self.clusters[a]
        if len(ca.members) > 1 and not self.connected_without(a, u):
            return False
        best: tuple[tuple[float, int, float, int, int], int] | None = None
        for b in targets:
            delta = self._move_delta(u, a, b)
            if _better(delta) and (best is None or delta < best[0]):
                best = (delta, b)
        if best is None:
            return False
        self.remove(a, u)
        self.add(best[1], u)
        self.moves += 1
        return True

    def _move_delta(self, u: int, a: int, b: int) -> tuple[float, int, float, int, int]:
        p = self.p
        ca, cb = self.clusters[a], self.clusters[b]
        ha, oa, sa = self.cl_stats(a)
        hb, ob, sb = self.cl_stats(b)
        pu = p.pop[u]
        reg_a = dict(ca.reg)
        reg_b = dict(cb.reg)
        for r, w in p.regions[u]:
            reg_a[r] = reg_a.get(r, 0.0) - pu * w
            reg_b[r] = reg_b.get(r, 0.0) + pu * w
        reg_a = {r: v for r, v in reg_a.items() if v > 1e-6}
        cs_u = [p.centrumstad[u]] if p.centrumstad[u] else []
        cs_a = list(ca.cs)
        for x in cs_u:
            cs_a.remove(x)
        ha2, oa2, sa2 = self.stats(ca.pop - pu, len(ca.members) - 1, reg_a, cs_a)
        hb2, ob2, sb2 = self.stats(cb.pop + pu, len(cb.members) + 1, reg_b, cb.cs + cs_u)
        start = p.start[u]
        d_changed = 0
        if start >= 0:
            d_changed = int(cb.label != start) - int(ca.label != start)
        total_sub = self._total_subsidy()
        new_sub = total_sub - sa - sb + sa2 + sb2
        d_budget = max(new_sub - p.budget, 0) - max(total_sub - p.budget, 0)
        in_a = sum(1 for v in p.nbrs[u] if self.where[v] == a)
        in_b = sum(1 for v in p.nbrs[u] if self.where[v] == b)
        return (
            round(ha2 + hb2 - ha - hb, 9),
            d_changed,
            round(oa2 + ob2 - oa - ob, 3),
            d_budget,
            in_a - in_b,
        )

    def _try_merges(self) -> bool:
        improved = False
        for a in sorted(self.clusters):
            if self._time_up():
                return improved
            if a not in self.clusters:
                continue
            best: tuple[tuple[float, int, float, int, int], int] | None = None
            for b in self.neighbour_clusters(a):
                delta = self._merge_delta(a, b)
                if _better(delta) and (best is None or delta < best[0]):
                    best = (delta, b)
            if best is not None:
                self.merge(a, best[1])
                self.moves += 1
                improved = True
        return improved

    def _merge_delta(self, a: int, b: int) -> tuple[float, int, float, int, int]:
        p = self.p
        ca, cb = self.clusters[a], self.clusters[b]
        ha, oa, sa = self.cl_stats(a)
        hb, ob, sb = self.cl_stats(b)
        reg = dict(ca.reg)
        for r, v in cb.reg.items():
            reg[r] = reg.get(r, 0.0) + v
        h, o, s = self.stats(ca.pop + cb.pop, len(ca.members) + len(cb.members), reg, ca.cs + cb.cs)
        keep_a = self._own(ca, ca.label) + self._own(cb, ca.label) >= self._own(
            ca, cb.label
        ) + self._own(cb, cb.label)
        label = ca.label if keep_a else cb.label
        before = sum(
            1 for c in (ca, cb) for u in c.members if p.start[u] >= 0 and p.start[u] != c.label
        )
        after = sum(
            1 for c in (ca, cb) for u in c.members if p.start[u] >= 0 and p.start[u] != label
        )
        total_sub = self._total_subsidy()
        new_sub = total_sub - sa - sb + s
        d_budget = max(new_sub - p.budget, 0) - max(total_sub - p.budget, 0)
        # compactness is no reason to merge (it would merge everything): cut delta 0
        return (round(h - ha - hb, 9), after - before, round(o - oa - ob, 3), d_budget, 0)

    # ------------------------------------------------------------------ large neighbourhood
    def violating(self) -> list[int]:
        return [cid for cid in sorted(self.clusters) if self.cl_stats(cid)[0] > EPS]

    def _beyond(self, pop: float, n: int, reg: dict[int, float], cs: Sequence[int]) -> bool:
        """A cluster with these totals breaks an upper bound, alignment or the one-centrumstad
        rule (which growing cannot fix)."""
        b = self.b
        if n > 1 and b.max_population and round(pop) > b.max_population:
            return True
        if b.max_municipalities and n > b.max_municipalities:
            return True
        if b.one_centrumstad and len(cs) >= 2:
            return True
        if b.alignment is not None and pop > 0 and reg:
            return max(reg.values()) / pop < b.alignment - 1e-12
        return False

    def _set_stats(self, units: set[int]) -> tuple[float, float, int]:
        p = self.p
        reg: dict[int, float] = {}
        for u in units:
            for r, w in p.regions[u]:
                reg[r] = reg.get(r, 0.0) + p.pop[u] * w
        cs = [p.centrumstad[u] for u in units if p.centrumstad[u]]
        return self.stats(sum(p.pop[u] for u in units), len(units), reg, cs)

    def _oversized(self, cid: int) -> bool:
        c, b = self.clusters[cid], self.b
        n = len(c.members)
        if n < 2:
            return False
        return bool(
            (b.max_population and round(c.pop) > b.max_population)
            or (b.max_municipalities and n > b.max_municipalities)
            or (b.one_centrumstad and len(c.cs) >= 2)
        )

    def _try_split(self, cid: int) -> bool:
        """Split a cluster in two contiguous parts grown from each member in turn; take the
        split with the least hard cost when it beats the cluster as it is."""
        members = set(self.clusters[cid].members)
        if len(members) > SPLIT_MAX:
            return False
        h0 = self.cl_stats(cid)[0]
        nbrs = self.p.nbrs
        best: tuple[tuple[float, float, int], frozenset[int]] | None = None
        for seed in sorted(members):
            part = {seed}
            while len(part) < len(members):
                rest = members - part
                if self._connected(rest):
                    hp, op, _ = self._set_stats(part)
                    hr, orr, _ = self._set_stats(rest)
                    if hp + hr < h0 - EPS:
                        cut = sum(1 for u in part for v in nbrs[u] if v in rest)
                        key = (round(hp + hr, 9), op + orr, cut)
                        if best is None or key < best[0]:
                            best = (key, frozenset(part))
                    if hp <= EPS:
                        break
                frontier = sorted(
                    {v for u in part for v in nbrs[u] if v in rest},
                    key=lambda v: (-sum(1 for x in nbrs[v] if x in part), self.p.pop[v], v),
                )
                if not frontier:
                    break
                part.add(frontier[0])
        if best is None:
            return False
        chosen = best[1]
        counts: dict[int, int] = {}
        for u in chosen:
            counts[self.p.start[u]] = counts.get(self.p.start[u], 0) + 1
        label = min(counts, key=lambda k: (-counts[k], k))
        new = self.new_cluster(label)
        for u in sorted(chosen):
            self.remove(cid, u)
            self.add(new, u)
        self.moves += 1
        return True

    def _connected(self, units: set[int]) -> bool:
        if not units:
            return False
        start = min(units)
        seen = {start}
        stack = [start]
        while stack:
            x = stack.pop()
            for y in self.p.nbrs[x]:
                if y in units and y not in seen:
                    seen.add(y)
                    stack.append(y)
        return len(seen) == len(units)

    def _region_blocked(self, cid: int) -> bool:
        """Part of the cluster lies in a region whose free municipalities connected to it are too
        few for the floor and too many to be a tolerated minority of a cluster elsewhere."""
        b, p = self.b, self.p
        if b.alignment is None or not b.max_population:
            return False
        tolerated = (1.0 - b.alignment) * b.max_population
        members = self.clusters[cid].members
        main = {u: max(p.regions[u], key=lambda x: (x[1], -x[0]))[0] for u in members}
        for region in sorted(set(main.values())):
            seen = {u for u in members if main[u] == region}
            stack = list(seen)
            pop = 0.0
            while stack:
                u = stack.pop()
                pop += p.pop[u]
                for v in p.nbrs[u]:
                    if v in seen or self.where[v] < 0:
                        continue
                    if max(p.regions[v], key=lambda x: (x[1], -x[0]))[0] == region:
                        seen.add(v)
                        stack.append(v)
            if tolerated < pop < b.floor:
                return True
        return False

    def _closed_off(self, cid: int) -> bool:
        """Too few inhabitants in the whole connected free area around ``cid`` for the floor."""
        seen = set(self.clusters[cid].members)
        stack = list(seen)
        pop = 0.0
        while stack:
            u = stack.pop()
            pop += self.p.pop[u]
            if round(pop) >= self.b.floor:
                return False
            for v in self.p.nbrs[u]:
                if v not in seen and self.where[v] >= 0:
                    seen.add(v)
                    stack.append(v)
        return True

    def lns(self, max_rounds: int = 4000) -> None:
        """Dissolve a violating cluster with its neighbours, regrow them with some noise and
        polish; keep the result when the cost improves (lexicographically), else undo."""
        best = self.totals()
        stale = 0
        hopeless: set[int] = set()
        for rnd in range(max_rounds):
            bad = [c for c in self.violating() if c not in hopeless]
            for c in list(bad):
                if self._closed_off(c) or self._region_blocked(c):
                    hopeless.add(c)
                    bad.remove(c)
            if not bad or self._time_up() or stale > 15 * len(bad):
                return
            cid = bad[self.rng.randrange(len(bad))]
            if self._oversized(cid):
                self._orig = {}
                if self._try_split(cid):
                    cost = self.totals()
                    if _better_total(cost, best):
                        best, stale, self._orig = cost, 0, None
                        hopeless.clear()
                        continue
                self._undo()
            area = {cid, *self.neighbour_clusters(cid)}
            if self.rng.random() < 0.5:
                for d in list(area):
                    area.update(self.neighbour_clusters(d))
            self._orig = {}
            units = sorted(u for a in area for u in self.clusters[a].members)
            for a in sorted(area):
                for u in sorted(self.clusters[a].members):
                    self.remove(a, u)
            fresh = set()
            for u in units:
                single = self.new_cluster(self.p.start[u])
                fresh.add(single)
                self.add(single, u)
            self._grow(noise=0.3, scope=fresh, patient=self.rng.random() < 0.5)
            for u in units:
                self._try_unit(u)
            cost = self.totals()
            if _better_total(cost, best):
                best = cost
                stale = 0
                self.moves += 1
                hopeless.clear()
                self._orig = None
            else:
                self._undo()
                stale += 1
            if self.progress is not None and rnd % 50 == 0:
                self.progress(
                    min(0.5 + rnd / max_rounds, 0.95),
                    f"repairing: round {rnd}, {len(bad)} cluster(s) with a broken constraint",
                )

    def _undo(self) -> None:
        orig, self._orig = self._orig or {}, None
        for cid in sorted(orig):
            if cid in self.clusters:
                for u in sorted(self.clusters[cid].members):
                    self.remove(cid, u)
                self.clusters.pop(cid, None)
        for cid, saved in sorted(orig.items()):
            if saved is None:
                continue
            label, members = saved
            self.clusters[cid] = Cl(label)
            for u in sorted(members):
                self.add(cid, u)

    # ------------------------------------------------------------------ result
    def relabel(self) -> None:
        """Give each start label to the cluster holding most of its units (one-to-one); other
        clusters get new labels."""
        overlap: list[tuple[int, int, int]] = []
        for cid, c in self.clusters.items():
            counts: dict[int, int] = {}
            for u in c.members:
                s = self.p.start[u]
                if s >= 0:
                    counts[s] = counts.get(s, 0) + 1
            overlap.extend((-n, s, cid) for s, n in counts.items())
        taken: set[int] = set()
        done: set[int] = set()
        for _, s, cid in sorted(overlap):
            if s in taken or cid in done:
                continue
            self.clusters[cid].label = s
            taken.add(s)
            done.add(cid)
        for cid in sorted(self.clusters):
            if cid not in done:
                self.clusters[cid].label = self.next_label
                self.next_label += 1


def _better_total(
    new: tuple[float, int, float, int, int], old: tuple[float, int, float, int, int]
) -> bool:
    h = new[0] - old[0]
    return _better(
        (round(h, 9), new[1] - old[1], new[2] - old[2], new[3] - old[3], new[4] - old[4])
    )


def _better(delta: tuple[float, int, float, int, int]) -> bool:
    h, ch, out, bud, cut = delta
    if h < -EPS:
        return True
    if h > EPS:
        return False
    if ch != 0:
        return ch < 0
    if out < -0.5:
        return True
    if out > 0.5:
        return False
    if bud != 0:
        return bud < 0
    return cut < 0
