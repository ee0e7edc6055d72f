// Work shared out so that one slow registry cannot hold every worker: while other registries have work
// waiting, a registry gets at most half the workers. With a single registry it gets them all. Input order is
// kept within each registry, and across registries as far as the shares allow.

export class FairQueue<T> {
  private readonly groups = new Map<string, { items: { item: T; order: number }[]; inFlight: number }>();
  private readonly groupOf = new Map<T, string>();
  private waiting: (() => void)[] = [];
  private count = 0;

  constructor(
    items: readonly T[],
    group: (item: T) => string,
    private readonly jobs: number,
  ) {
    items.forEach((item, order) => {
      const key = group(item);
      let entry = this.groups.get(key);
      if (!entry) {
        entry = { items: [], inFlight: 0 };
        this.groups.set(key, entry);
      }
      entry.items.push({ item, order });
      this.groupOf.set(item, key);
    });
    this.count = items.length;
  }

  /** Items not yet taken. */
  get pending(): number {
    return this.count;
  }

  /** The next item a worker may start now, or undefined when every group with work is at its share. */
  take(): T | undefined {
    let groupsWithWork = 0;
    for (const group of this.groups.values()) if (group.items.length > 0) groupsWithWork += 1;
    const share = groupsWithWork > 1 ? Math.max(1, Math.ceil(this.jobs / 2)) : this.jobs;
    let best: { items: { item: T; order: number }[]; inFlight: number } | undefined;
    for (const group of this.groups.values()) {
      const head = group.items[0];
      if (!head || group.inFlight >= share) continue;
      if (!best || head.order < (best.items[0] as { order: number }).order) best = group;
    }
    const next = best?.items.shift();
    if (!best || !next) return undefined;
    best.inFlight += 1;
    this.count -= 1;
    return next.item;
  }

  /** A taken item is finished: its group's share frees up. */
  done(item: T): void {
    const group = this.groups.get(this.groupOf.get(item) as string);
    if (group) group.inFlight -= 1;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  /** Resolves when some item is done (and a share may have freed up). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
