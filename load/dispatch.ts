/**
 * Smooth weighted round robin (the nginx upstream algorithm): every prefix of the sequence is as
 * close to the weights as whole picks allow, so each client gets exactly its share of the arrivals
 * whatever the run's length, and each worker of a distributed run hands out the same shares.
 */
type Slot<T> = { value: T; weight: number; current: number };

export class SmoothWeightedRoundRobin<T> {
  readonly #items: Slot<T>[];
  readonly #total: number;

  constructor(items: readonly { value: T; weight: number }[]) {
    if (items.length === 0) throw new Error('nothing to pick from');
    if (items.some((item) => !(item.weight > 0))) throw new Error('every weight must be positive');
    this.#items = items.map((item) => ({ ...item, current: 0 }));
    this.#total = items.reduce((sum, item) => sum + item.weight, 0);
  }

  next(): T {
    let best = this.#items[0] as Slot<T>;
    for (const item of this.#items) {
      item.current += item.weight;
      if (item.current > best.current) best = item;
    }
    best.current -= this.#total;
    return best.value;
  }
}

/**
 * Tokens per client through the suite's OAuth2 client (which caches and refreshes them), with
 * concurrent first requests for one client sharing a single token request.
 */
export class TokenCache {
  readonly #source: { token(clientId: string): Promise<string> };
  readonly #pending = new Map<string, Promise<string>>();

  constructor(source: { token(clientId: string): Promise<string> }) {
    this.#source = source;
  }

  async authorization(clientId: string): Promise<string> {
    const pending = this.#pending.get(clientId);
    if (pending) return `Bearer ${await pending}`;
    const request = this.#source.token(clientId);
    this.#pending.set(clientId, request);
    try {
      return `Bearer ${await request}`;
    } finally {
      this.#pending.delete(clientId);
    }
  }
}
