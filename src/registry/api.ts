// One call of the registry API (`/v2/<repository>/…`): first contact, authentication (auth.ts), counting, and
// any non-2xx answer read as the error it means (refusals.ts).
import type { Authenticator } from './auth.js';
import type { RegistryError } from './errors.js';
import type { FirstContact } from './first-contact.js';
import type { Refusals } from './refusals.js';
import type { RequestKind, RequestStats } from './stats.js';
import type { HttpResponse, Transport } from './transport.js';

export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

export interface ApiCall {
  kind: RequestKind;
  accept?: string;
  signal?: AbortSignal;
  /** Refuse bodies larger than this; a manifest's 4 MiB by default. */
  maxBytes?: number;
  /** What was asked for, for messages (`registry/repository:tag`). */
  what: string;
}

export interface ApiParts {
  transport: Transport;
  auth: Authenticator;
  refusals: Refusals;
  stats: RequestStats;
  firstContact: FirstContact;
}

export class RegistryApi {
  constructor(readonly parts: ApiParts) {}

  /** The answer when 2xx; otherwise throws the RegistryError it means. */
  async call(
    registry: string,
    repository: string,
    method: 'GET' | 'HEAD',
    path: string,
    call: ApiCall,
  ): Promise<HttpResponse> {
    return this.callAt(registry, `repository:${repository}:pull`, method, `/v2/${repository}/${path}`, call);
  }

  /** The answer when 2xx, else the error it means (so a caller can read a 404 its own way). */
  attempt(
    registry: string,
    repository: string,
    method: 'GET' | 'HEAD',
    path: string,
    call: ApiCall,
  ): Promise<{ response: HttpResponse } | { error: RegistryError }> {
    return this.attemptAt(
      registry,
      `repository:${repository}:pull`,
      method,
      `/v2/${repository}/${path}`,
      call,
    );
  }

  /** A call with its own scope and full path (also outside one repository: `/v2/_catalog`). */
  async callAt(
    registry: string,
    scope: string,
    method: 'GET' | 'HEAD',
    path: string,
    call: ApiCall,
  ): Promise<HttpResponse> {
    const answer = await this.attemptAt(registry, scope, method, path, call);
    if ('error' in answer) throw answer.error;
    return answer.response;
  }

  private async attemptAt(
    registry: string,
    scope: string,
    method: 'GET' | 'HEAD',
    path: string,
    call: ApiCall,
  ): Promise<{ response: HttpResponse } | { error: RegistryError }> {
    const { transport, auth, refusals, stats, firstContact } = this.parts;
    stats.count(registry, call.kind);
    const send = (authorization: string | undefined, withCredentials: boolean) =>
      transport.send({
        registry,
        method,
        credentialed: withCredentials,
        path,
        headers: {
          ...(call.accept ? { accept: call.accept } : {}),
          ...(authorization ? { authorization } : {}),
          'user-agent': 'mirror-validate',
        },
        signal: call.signal,
        maxBytes: call.maxBytes ?? MANIFEST_MAX_BYTES,
      });
    return firstContact.run(registry, auth.knows(registry), async () => {
      const sent = await auth.send(registry, scope, send, call.signal);
      if (sent.response.status >= 200 && sent.response.status < 300) return { response: sent.response };
      return { error: await refusals.refusal(registry, sent, call.what, call.signal) };
    });
  }
}
