// The first request to a registry goes alone: what it learns (the auth challenge, the scheme of an insecure
// registry) spares every concurrent request a 401 round trip of its own.

export class FirstContact {
  /** Per registry: the first request, under way; the others wait for it to end. */
  readonly #pending = new Map<string, Promise<void>>();

  /**
   * Runs a request: after the registry's first request when one is under way; as that first request when
   * nothing is known of the registry yet (`known` false).
   */
  async run<T>(registry: string, known: boolean, request: () => Promise<T>): Promise<T> {
    const pending = this.#pending.get(registry);
    let finish: (() => void) | undefined;
    if (pending) await pending;
    else if (!known) this.#pending.set(registry, new Promise<void>((resolve) => (finish = resolve)));
    try {
      return await request();
    } finally {
      finish?.();
    }
  }
}
