// Token batches: the pull scopes of the repositories a run will read from a registry, planned before lines
// start and asked for 50 at a time (the distribution token spec's request takes several `scope` parameters:
// https://distribution.github.io/distribution/spec/auth/token/). A scope its batch token did not grant, or that
// the registry refused twice with it, leaves the batch for a token of its own; a registry whose token service
// refused or failed a batch gets single scopes from then on.

/** Scopes asked for together, in the order the run reads them; a scope a batch token did not grant leaves. */
export interface Batch {
  scopes: string[];
  /** The registry's next batch: asked for once this one is, so lines never wait for it. */
  next?: Batch;
}

export interface CachedToken {
  header: string;
  expiresAt: number;
  /** Whether the token service was given credentials (false: an anonymous token). */
  withCredentials: boolean;
  /** For a batch token that is a JWT: the pull scopes its `access` claim grants (otherwise all asked). */
  granted?: ReadonlySet<string>;
}

/** Whether a token covers a scope: all it was asked for, unless its JWT says which. */
export const grants = (token: CachedToken, scope: string) => !token.granted || token.granted.has(scope);

/**
 * The pull scopes a JWT's `access` claim grants (distribution's token format:
 * https://distribution.github.io/distribution/spec/auth/jwt/); undefined when the token is opaque or unreadable.
 * The claim is only a hint for which scopes need a token of their own: the registry decides.
 */
export function grantedScopes(token: string): ReadonlySet<string> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || (parts[1] as string).length > 256 * 1024) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as {
      access?: { type?: unknown; name?: unknown; actions?: unknown }[];
    };
    if (!Array.isArray(claims.access)) return undefined;
    return new Set(
      claims.access
        .filter(
          (entry) =>
            entry?.type === 'repository' &&
            typeof entry.name === 'string' &&
            Array.isArray(entry.actions) &&
            entry.actions.includes('pull'),
        )
        .map((entry) => `repository:${entry.name as string}:pull`),
    );
  } catch {
    return undefined;
  }
}

/** Pull scopes asked for in one token request, at most (and about 6 KB of query). */
export const SCOPES_PER_BATCH = 50;

export class BatchPlan {
  /** Per registry and scope: the batch of scopes it is asked for with. */
  readonly #batches = new Map<string, Batch>();
  /** Per registry and scope: refused once with a batch token (a second refusal makes it leave the batch). */
  readonly #refusedOnce = new Set<string>();
  /** Registries whose token service refused or failed a batch: single scopes from then on. */
  readonly #noBatches = new Set<string>();

  /**
   * The repositories a run will read from a registry, in the order it will read them: their pull scopes are
   * asked for in batches of at most 50 scopes and about 6 KB of query.
   */
  plan(registry: string, repositories: readonly string[]): void {
    let batch: Batch = { scopes: [] };
    let length = 0;
    for (const repository of new Set(repositories)) {
      const scope = `repository:${repository}:pull`;
      if (this.#batches.has(`${registry} ${scope}`)) continue;
      if (batch.scopes.length >= SCOPES_PER_BATCH || length + scope.length > 6000) {
        batch = batch.next = { scopes: [] };
        length = 0;
      }
      batch.scopes.push(scope);
      length += scope.length + 7;
      this.#batches.set(`${registry} ${scope}`, batch);
    }
  }

  /** The batch a scope is asked for with, unless batching is off for the registry. */
  batchOf(registry: string, scope: string): Batch | undefined {
    return this.#noBatches.has(registry) ? undefined : this.#batches.get(`${registry} ${scope}`);
  }

  /** A scope the batch token does not serve: from now on it gets a token of its own. */
  leave(registry: string, scope: string): void {
    const key = `${registry} ${scope}`;
    const batch = this.#batches.get(key);
    if (!batch) return;
    this.#batches.delete(key);
    batch.scopes = batch.scopes.filter((one) => one !== scope);
  }

  /** Refused with the token it was sent with: the second time, the scope leaves its batch. */
  refused(registry: string, scope: string): void {
    const key = `${registry} ${scope}`;
    if (this.#refusedOnce.has(key)) this.leave(registry, scope);
    else this.#refusedOnce.add(key);
  }

  stopBatching(registry: string): void {
    this.#noBatches.add(registry);
  }
}
