// Authentication against a registry: the challenge each registry last sent, Basic credentials, and Bearer
// tokens from its token service (one request per registry and scope, reused until shortly before expiry).
// The distribution token protocol: https://distribution.github.io/distribution/spec/auth/token/ (GET with
// Basic credentials) and .../spec/auth/oauth/ (POST with a refresh token, for identity tokens).
import { parseChallenge, type Challenge } from './challenge.js';
import type { Credential, CredentialResolver } from './credentials.js';
import { RegistryError } from './errors.js';
import type { Refusals, SentWith } from './refusals.js';
import { BatchPlan, grantedScopes, grants, type Batch, type CachedToken } from './token-batches.js';
import type { HttpResponse, Transport } from './transport.js';

export interface AuthOptions {
  transport: Transport;
  /** Reads a token service's refusal (refused, or the repository missing?). */
  refusals: Refusals;
  credentials?: CredentialResolver;
  onDebug?: (message: string) => void;
  /** Called once per token request sent (for the run's request counts). */
  onTokenRequest?: (registry: string) => void;
  /** The clock tokens expire by (tests move it); Date.now by default. */
  now?: () => number;
}

/** What a request was finally sent with, and what came back. */
export type Authenticated = SentWith;

const basic = (credential: Credential) =>
  `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`).toString('base64')}`;

export class Authenticator {
  /** Per registry: the challenge last seen (so later requests authenticate up front). */
  readonly #challenges = new Map<string, Challenge>();
  /** Per registry and scope: a token, or the request for one under way (one request per scope). */
  readonly #tokens = new Map<string, Promise<CachedToken>>();
  /** Which scopes are asked for together (see token-batches.ts). */
  readonly #plan = new BatchPlan();
  /** The requests for batch tokens under way or done (a waiter checks such a token grants its scope). */
  readonly #batchTokens = new WeakSet<Promise<CachedToken>>();
  readonly #now: () => number;

  constructor(private readonly options: AuthOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Whether a challenge of this registry is known, so a request can authenticate before it is sent. */
  knows(registry: string): boolean {
    return this.#challenges.has(registry);
  }

  /** The repositories a run will read from a registry, in order: their scopes are asked for in batches. */
  plan(registry: string, repositories: readonly string[]): void {
    this.#plan.plan(registry, repositories);
  }

  /**
   * Asks for a batch's token, every scope of it waiting on the one request; then each keeps the token only if
   * it was granted. Never two requests for one batch at once.
   */
  private fetchBatch(
    registry: string,
    batch: Batch,
    challenge: Challenge & { scheme: 'bearer' },
  ): Promise<CachedToken> {
    const scopes = [...batch.scopes];
    // Without any line's signal: one line running out of time must not fail the batch for all of them (and
    // turn batching off for the registry).
    const shared = this.fetchToken(registry, scopes, challenge);
    this.#batchTokens.add(shared);
    for (const scope of scopes) this.#tokens.set(`${registry} ${scope}`, shared);
    void shared.then(
      (token) => {
        for (const scope of scopes) {
          if (grants(token, scope)) continue;
          this.#plan.leave(registry, scope);
          const key = `${registry} ${scope}`;
          if (this.#tokens.get(key) === shared) this.#tokens.delete(key);
        }
      },
      () => {
        this.#plan.stopBatching(registry);
        for (const scope of scopes) {
          const key = `${registry} ${scope}`;
          if (this.#tokens.get(key) === shared) this.#tokens.delete(key);
        }
      },
    );
    return shared;
  }

  /**
   * Sends a request with the Authorization header the registry's known challenge calls for; on a 401 with a
   * usable challenge, learns it and sends once more. A token that was refused (expired early, or for a
   * narrower scope) is dropped and asked for again, once; a request that went out before any challenge was
   * known just authenticates now.
   */
  async send(
    registry: string,
    scope: string,
    send: (authorization: string | undefined, withCredentials: boolean) => Promise<HttpResponse>,
    signal?: AbortSignal,
  ): Promise<Authenticated> {
    const first = await this.authorization(registry, scope, signal);
    const response = await send(first.header, first.withCredentials);
    const sent = { response, authorization: first.header, withCredentials: first.withCredentials };
    if (response.status !== 401) return sent;
    const header = response.headers.get('www-authenticate');
    const challenge = parseChallenge(header);
    if (!challenge) return header ? { ...sent, unusableChallenge: header } : sent;
    const known = this.#challenges.get(registry);
    // A refusal of what we sent may come with another scheme (Harbor answers any request that carried an
    // Authorization header with `Basic realm="harbor"`: goharbor/harbor src/server/middleware/v2auth/auth.go):
    // the registry's own challenge stays the one learnt first, and the refusal stands.
    if (first.header && known && known.scheme !== challenge.scheme) return sent;
    this.#challenges.set(registry, challenge);
    if (first.header) {
      // Refused with the token it was sent with. A token expired early is asked for again (with its batch);
      // a scope refused a second time, so a batch token that does not serve this repository after all (an
      // opaque token, or a JWT claiming more than the registry grants), leaves the batch for a token of its own.
      const key = `${registry} ${scope}`;
      this.#tokens.delete(key);
      this.#plan.refused(registry, scope);
    }
    const again = await this.authorization(registry, scope, signal);
    return {
      response: await send(again.header, again.withCredentials),
      authorization: again.header,
      withCredentials: again.withCredentials,
    };
  }

  /** The Authorization header for a request, from the registry's known challenge; none before any. */
  private async authorization(
    registry: string,
    scope: string,
    signal?: AbortSignal,
  ): Promise<{ header?: string; withCredentials: boolean }> {
    const challenge = this.#challenges.get(registry);
    if (!challenge) return { withCredentials: false };
    if (challenge.scheme === 'basic') {
      const credential = await this.credential(registry);
      return credential?.password !== undefined
        ? { header: basic(credential), withCredentials: true }
        : { withCredentials: false };
    }
    const key = `${registry} ${scope}`;
    const batch = this.#plan.batchOf(registry, scope);
    this.askAhead(registry, batch, challenge);
    const cached = this.#tokens.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > this.#now() && grants(token, scope)) return token;
      if (this.#tokens.get(key) === cached) this.#tokens.delete(key);
    }
    let pending = this.#tokens.get(key);
    if (!pending) {
      // Read again: while this line waited, its scope may have left its batch, or batching may have ended.
      const current = this.#plan.batchOf(registry, scope);
      if (current && current.scopes.length > 1) {
        const shared = this.fetchBatch(registry, current, challenge);
        const settled = await shared.catch(() => undefined);
        if (settled && grants(settled, scope)) return settled;
        return this.authorization(registry, scope, signal);
      }
      pending = this.fetchToken(registry, [scope], challenge, signal);
      this.#tokens.set(key, pending);
      pending.catch(() => {
        if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
      });
    } else if (this.#batchTokens.has(pending)) {
      // Another line's batch request, started meanwhile: keep it only if it serves this scope (its failure
      // or a grant without this scope sends this line on to the next way of getting a token).
      const token = await pending.catch(() => undefined);
      if (token && grants(token, scope)) return token;
      return this.authorization(registry, scope, signal);
    }
    return pending;
  }

  /**
   * Ahead of the queue: once a batch is in use (its token asked for, under way or held), the next one is
   * asked for, unless it is under way or held already (or down to one scope). So lines never wait for a
   * token at a batch's boundary; only the first batch of a registry is waited for.
   */
  private askAhead(registry: string, batch: Batch | undefined, challenge: Challenge & { scheme: 'bearer' }) {
    const next = batch?.next;
    if (next && next.scopes.length > 1 && !next.scopes.some((one) => this.#tokens.has(`${registry} ${one}`)))
      void this.fetchBatch(registry, next, challenge).catch(() => undefined);
  }

  private async credential(registry: string): Promise<Credential | undefined> {
    if (!this.options.credentials) return undefined;
    try {
      return await this.options.credentials(registry);
    } catch (error) {
      throw new RegistryError(
        'unauthorized',
        registry,
        `credentials for ${registry}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async fetchToken(
    registry: string,
    scopes: readonly string[],
    challenge: Challenge & { scheme: 'bearer' },
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const scope = scopes.join(' ');
    const batch = scopes.length > 1;
    const credential = await this.credential(registry);
    const realm = new URL(challenge.realm);
    const params = new URLSearchParams();
    if (challenge.service) params.set('service', challenge.service);
    for (const one of scopes) params.append('scope', one);
    this.options.onTokenRequest?.(registry);
    const transport = {
      // A token answer past 1 MiB is the token service's fault, not a manifest's.
      send: (request: Parameters<Transport['send']>[0]) =>
        this.options.transport.send(request).catch((error: unknown) => {
          if (error instanceof RegistryError && error.code === 'too-large')
            throw new RegistryError(
              'http',
              registry,
              `token service of ${registry} answered more than 1 MiB`,
            );
          throw error;
        }),
    };
    let response: HttpResponse;
    if (credential?.identityToken) {
      params.set('grant_type', 'refresh_token');
      params.set('refresh_token', credential.identityToken);
      params.set('client_id', 'mirror-validate');
      response = await transport.send({
        registry,
        method: 'POST',
        path: realm.toString(),
        credentialed: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        signal,
        maxBytes: 1024 * 1024,
      });
    } else {
      for (const [name, value] of params) realm.searchParams.append(name, value);
      if (credential?.username && !credential.password) {
        throw new RegistryError(
          'unauthorized',
          registry,
          `credentials for ${registry} have a user but no password`,
        );
      }
      response = await transport.send({
        registry,
        method: 'GET',
        path: realm.toString(),
        headers: credential?.password !== undefined ? { authorization: basic(credential) } : {},
        credentialed: credential?.password !== undefined,
        signal,
        maxBytes: 1024 * 1024,
      });
    }
    const sentBasic = credential?.password !== undefined && !credential.identityToken;
    const refusal = await this.options.refusals.tokenRefusal(
      registry,
      response,
      {
        scope,
        batch,
        withCredentials: credential !== undefined,
        basicAuthorization: sentBasic ? basic(credential) : undefined,
        realm: challenge.realm,
        service: challenge.service,
      },
      signal,
    );
    if (refusal) throw refusal;
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(response.body.toString('utf8')) as typeof body;
    } catch {
      throw new RegistryError('http', registry, `token service of ${registry} answered with no JSON`);
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('http', registry, `token service of ${registry} gave no token`);
    const lifetime = Math.max(Number(body.expires_in) || 60, 10);
    this.options.onDebug?.(`token for ${registry} ${scope}: valid ${lifetime} s`);
    return {
      header: `Bearer ${token}`,
      granted: batch ? grantedScopes(token) : undefined,
      expiresAt: this.#now() + (lifetime - 5) * 1000,
      withCredentials: Boolean(credential?.identityToken) || credential?.password !== undefined,
    };
  }
}
