// Authentication against a registry: the challenge each registry last sent, Basic credentials, and Bearer
// tokens from its token service (one request per registry and scope, reused until shortly before expiry).
// The distribution token protocol: https://distribution.github.io/distribution/spec/auth/token/ (GET with
// Basic credentials) and .../spec/auth/oauth/ (POST with a refresh token, for identity tokens).
import { parseChallenge, type Challenge } from './challenge.js';
import type { Credential, CredentialResolver } from './credentials.js';
import { RegistryError } from './errors.js';
import type { HttpResponse, Transport } from './transport.js';

export interface AuthOptions {
  transport: Transport;
  credentials?: CredentialResolver;
  onDebug?: (message: string) => void;
  /** Called once per token request sent (for the run's request counts). */
  onTokenRequest?: (registry: string) => void;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

const basic = (credential: Credential) =>
  `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`).toString('base64')}`;

export class Authenticator {
  /** Per registry: the challenge last seen (so later requests authenticate up front). */
  readonly #challenges = new Map<string, Challenge>();
  /** Per registry and scope: a token, or the request for one under way (one request per scope). */
  readonly #tokens = new Map<string, Promise<CachedToken>>();

  constructor(private readonly options: AuthOptions) {}

  /** Whether a challenge of this registry is known, so a request can authenticate before it is sent. */
  knows(registry: string): boolean {
    return this.#challenges.has(registry);
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
    send: (authorization: string | undefined) => Promise<HttpResponse>,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const first = await this.authorization(registry, scope, signal);
    const response = await send(first);
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (!challenge) return response;
    const known = this.#challenges.get(registry);
    this.#challenges.set(registry, challenge);
    if (first) this.#tokens.delete(`${registry} ${scope}`);
    if (first && known && known.scheme !== challenge.scheme) return response;
    return send(await this.authorization(registry, scope, signal));
  }

  /** The Authorization header for a request, from the registry's known challenge; undefined before any. */
  private async authorization(
    registry: string,
    scope: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const challenge = this.#challenges.get(registry);
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const credential = await this.credential(registry);
      return credential?.password !== undefined ? basic(credential) : undefined;
    }
    const key = `${registry} ${scope}`;
    const cached = this.#tokens.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > Date.now()) return token.header;
      if (this.#tokens.get(key) === cached) this.#tokens.delete(key);
    }
    let pending = this.#tokens.get(key);
    if (!pending) {
      pending = this.fetchToken(registry, scope, challenge, signal);
      this.#tokens.set(key, pending);
      pending.catch(() => {
        if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
      });
    }
    return (await pending).header;
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
    scope: string,
    challenge: Challenge & { scheme: 'bearer' },
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const credential = await this.credential(registry);
    const realm = new URL(challenge.realm);
    const params = new URLSearchParams();
    if (challenge.service) params.set('service', challenge.service);
    params.set('scope', scope);
    this.options.onTokenRequest?.(registry);
    const { transport } = this.options;
    let response: HttpResponse;
    if (credential?.identityToken) {
      params.set('grant_type', 'refresh_token');
      params.set('refresh_token', credential.identityToken);
      params.set('client_id', 'mirror-validate');
      response = await transport.send({
        registry,
        method: 'POST',
        path: realm.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        signal,
        maxBytes: 1024 * 1024,
      });
    } else {
      for (const [name, value] of params) realm.searchParams.set(name, value);
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
        signal,
        maxBytes: 1024 * 1024,
      });
    }
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        'unauthorized',
        registry,
        `${registry} refused a token for ${scope}${credential ? ' with the credentials given' : ' without credentials'}`,
        { status: response.status },
      );
    }
    if (response.status !== 200) {
      throw new RegistryError(
        'http',
        registry,
        `token service of ${registry} answered HTTP ${response.status}`,
        {
          status: response.status,
        },
      );
    }
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
    return { header: `Bearer ${token}`, expiresAt: Date.now() + (lifetime - 5) * 1000 };
  }
}
