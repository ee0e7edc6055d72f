// Whether each registry is answering at all: a circuit breaker, so a registry that does not answer fails its
// other requests at once instead of each waiting out its own timeouts and retries.
import { RegistryError } from './errors.js';

/**
 * Per registry: is it answering? A registry whose first contact, or three requests in a row, got no answer
 * within the request timeout is marked down: its other requests fail at once instead of each waiting out its
 * own timeouts and retries, and one request every probe interval is let through to find out whether it is
 * back. Any answer (whatever the status) marks it up again.
 */
export class Health {
  readonly #state = new Map<
    string,
    { answered: boolean; silent: number; down?: { since: number; what: string }; probeAt?: number }
  >();

  constructor(private readonly probeMs: number) {}

  #of(registry: string) {
    let state = this.#state.get(registry);
    if (!state) {
      state = { answered: false, silent: 0 };
      this.#state.set(registry, state);
    }
    return state;
  }

  /** Throws when the registry is down and this request is not the probe. */
  check(registry: string): void {
    const state = this.#of(registry);
    if (!state.down) return;
    const now = Date.now();
    if (state.probeAt === undefined || now >= state.probeAt) {
      state.probeAt = now + this.probeMs;
      return; // this one is the probe
    }
    throw new RegistryError(
      'timeout',
      registry,
      `${registry} is not answering: marked down ${Math.round((now - state.down.since) / 1000)} s ago after ${state.down.what}; asked again every ${Math.round(this.probeMs / 1000)} s`,
    );
  }

  answered(registry: string): void {
    const state = this.#of(registry);
    state.answered = true;
    state.silent = 0;
    state.down = undefined;
    state.probeAt = undefined;
  }

  silent(registry: string, what: string): void {
    const state = this.#of(registry);
    state.silent += 1;
    if (state.down) return;
    if (!state.answered || state.silent >= 3) {
      state.down = {
        since: Date.now(),
        what: state.answered
          ? `${state.silent} requests in a row got no answer (last: ${what})`
          : `its first request got no answer (${what})`,
      };
      state.probeAt = Date.now() + this.probeMs;
    }
  }
}
