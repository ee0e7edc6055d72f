// A registry front: a loopback server placed before a real distribution registry that answers the way one
// real registry answers (its challenge, its token service, its statuses for a missing or forbidden repository,
// its headers). What each registry does is described, with sources, in profiles.ts; this file only acts it out.
// The distribution registry behind it runs without auth: the front decides who may read what.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { RegistryProfile, ProfileAnswer } from './profiles.js';

/** Someone the front knows: Basic credentials or an identity (refresh) token, and what they may read. */
export interface FrontUser {
  username: string;
  password: string;
  /** An identity token (ACR's refresh token) that the token service exchanges by OAuth2 POST. */
  identityToken?: string;
  /** Repository prefixes (after the profile's path prefix is removed) this user may pull. */
  readable: string[];
}

export interface FrontOptions {
  profile: RegistryProfile;
  /** The distribution registry behind, `http://127.0.0.1:PORT`. */
  backendUrl: string;
  users: FrontUser[];
  /** Repository prefixes anyone may pull (public repositories), where the profile allows anonymous pulls. */
  publicPrefixes?: string[];
}

export interface RegistryFront {
  profile: RegistryProfile;
  /** `127.0.0.1:PORT`, the registry host to put in a list. */
  host: string;
  url: string;
  /** The token service's base, when it runs on another host. */
  tokenHost?: string;
  /** Every token and refresh token handed out, to look for where they must never appear. */
  issued: string[];
  /** Requests seen, as `METHOD path` (token service and CDN included, prefixed with their role). */
  seen: string[];
  close(): Promise<void>;
}

interface Grant {
  subject: string;
  pull: Set<string>;
}

const json = (body: unknown) => Buffer.from(JSON.stringify(body));

function errorBody(answer: ProfileAnswer, name: string, reference: string): Buffer {
  if (answer.body === 'html') return Buffer.from('<html><body><h1>Not Found</h1></body></html>');
  return json({
    errors: [
      {
        code: answer.code,
        message: answer.message.replace('{name}', name).replace('{reference}', reference),
        detail: answer.code === 'UNAUTHORIZED' ? [{ Type: 'repository', Name: name, Action: 'pull' }] : {},
      },
    ],
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function backend(
  base: string,
  method: string,
  path: string,
  headers: http.IncomingHttpHeaders,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        headers: { accept: headers.accept ?? '*/*', 'user-agent': 'registry-front' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

export async function startFront(options: FrontOptions): Promise<RegistryFront> {
  const { profile } = options;
  const auth = profile.auth;
  const issued: string[] = [];
  const seen: string[] = [];
  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, FrontUser>();
  const sockets = new Set<net.Socket>();
  const servers: http.Server[] = [];
  const track = (server: http.Server) => {
    servers.push(server);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  };

  /** Whether the repository exists behind the front (distribution answers its tag list 404 otherwise). */
  const exists = async (name: string) =>
    (await backend(options.backendUrl, 'GET', `/v2/${name}/tags/list`, {})).status === 200;
  const basicUser = (header: string | undefined): FrontUser | 'wrong' | undefined => {
    if (!header?.toLowerCase().startsWith('basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return options.users.find((user) => user.username === username && user.password === password) ?? 'wrong';
  };
  const readableBy = (user: FrontUser | undefined, name: string) =>
    [...(user?.readable ?? []), ...(profile.anonymous ? (options.publicPrefixes ?? []) : [])].some((prefix) =>
      name.startsWith(prefix),
    );
  const stripPrefix = (name: string) =>
    name.startsWith(profile.pathPrefix ?? '') ? name.slice((profile.pathPrefix ?? '').length) : undefined;

  const newToken = (user: FrontUser | undefined, scopes: string[]): string => {
    const pull = new Set<string>();
    for (const scope of scopes) {
      const [type, name, actions] = scope.split(':');
      const inner = name === undefined ? undefined : stripPrefix(name);
      if (
        type === 'repository' &&
        inner !== undefined &&
        actions?.split(',').includes('pull') &&
        readableBy(user, inner)
      )
        pull.add(inner);
    }
    const secret = randomBytes(18).toString('base64url');
    const token =
      auth.scheme === 'bearer' && auth.jwt
        ? [
            Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url'),
            Buffer.from(JSON.stringify({ sub: user?.username ?? '', access: [...pull] })).toString(
              'base64url',
            ),
            secret,
          ].join('.')
        : secret;
    grants.set(token, { subject: user?.username ?? '', pull });
    issued.push(token);
    return token;
  };

  const tokenAnswer = (token: string) => {
    if (auth.scheme !== 'bearer') throw new Error('no token service for Basic');
    const body: Record<string, unknown> = {};
    if (auth.tokenField !== 'access_token') body.token = token;
    if (auth.tokenField !== 'token') body.access_token = token;
    if (auth.expiresIn !== undefined) body.expires_in = auth.expiresIn;
    if (auth.issuedAt) body.issued_at = new Date().toISOString();
    return json(body);
  };

  // The token service: GET with Basic credentials (or none), POST with a refresh token where the profile has it.
  const tokenService = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (auth.scheme !== 'bearer') return;
    seen.push(`token ${request.method} ${request.url}`);
    const url = new URL(request.url ?? '/', 'http://front');
    const send = (status: number, body: Buffer) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    };
    if (request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const user = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!auth.refreshTokens || form.get('grant_type') !== 'refresh_token')
        return send(
          auth.refreshTokens ? 400 : 405,
          json({ errors: [{ code: 'UNSUPPORTED', message: 'unsupported grant' }] }),
        );
      if (!user)
        return send(401, json({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] }));
      return send(
        200,
        tokenAnswer(
          newToken(
            user,
            form.getAll('scope').flatMap((scope) => scope.split(' ')),
          ),
        ),
      );
    }
    const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' '));
    const user = basicUser(request.headers.authorization);
    if (user === 'wrong') {
      // Harbor hands out a token without access for wrong credentials (see profiles.ts); others refuse.
      if (auth.wrongCredentials === 'empty-token') return send(200, tokenAnswer(newToken(undefined, [])));
      return send(
        401,
        json({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }),
      );
    }
    if (!user && !profile.anonymous)
      return send(
        auth.anonymousTokenStatus ?? 401,
        json({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      );
    // ghcr.io and GitLab refuse the token itself for a repository the client may not read (see profiles.ts).
    const refusal = user ? auth.scopeRefusal?.withCredentials : auth.scopeRefusal?.anonymous;
    if (refusal) {
      for (const scope of scopes) {
        const name = stripPrefix(scope.split(':')[1] ?? '');
        const present = name !== undefined && (await exists(name));
        if (!present || !readableBy(user, name))
          return send(refusal.status, errorBody(refusal, scope.split(':')[1] ?? '', ''));
      }
    }
    send(200, tokenAnswer(newToken(user, scopes)));
  };

  let tokenHost: string | undefined;
  if (auth.scheme === 'bearer' && auth.realmOnOtherHost) {
    tokenHost = await listen(
      track(http.createServer((request, response) => void tokenService(request, response))),
    );
  }

  // Where blobs are redirected to (S3, a CDN, Azure storage): serves the backend's blob for a signed path and
  // refuses any request that carries an Authorization header, as Azure storage does (see profiles.ts).
  const signatures = new Map<string, string>();
  let cdnHost: string | undefined;
  if (profile.blobRedirect) {
    cdnHost = await listen(
      track(
        http.createServer((request, response) => {
          seen.push(`cdn ${request.method} ${request.url}`);
          const path = signatures.get(
            new URL(request.url ?? '/', 'http://cdn').searchParams.get('sig') ?? '',
          );
          if (request.headers.authorization || !path) {
            response.writeHead(request.headers.authorization ? 400 : 403, {
              'content-type': 'application/xml',
            });
            response.end(
              request.method === 'HEAD' ? undefined : '<Error><Code>InvalidAuthenticationInfo</Code></Error>',
            );
            return;
          }
          void backend(options.backendUrl, request.method ?? 'GET', path, request.headers).then((answer) => {
            response.writeHead(answer.status, {
              'content-type': 'application/octet-stream',
              'content-length': answer.headers['content-length'] ?? String(answer.body.length),
            });
            response.end(request.method === 'HEAD' ? undefined : answer.body);
          });
        }),
      ),
    );
  }

  let host = '';
  const challenge = (scope?: string): string => {
    if (auth.scheme === 'basic') return auth.challenge.replace('{host}', host);
    const realm = `http://${auth.realmOnOtherHost ? tokenHost : host}${auth.realmPath}`;
    const service = auth.service === 'realm' ? realm : auth.service?.replace('{host}', host);
    let header = `Bearer realm="${realm}"${service ? `,service="${service}"` : ''}`;
    if (scope && auth.scopeInChallenge) header += `,scope="${scope}"`;
    return header;
  };

  const registry = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    seen.push(`${request.method} ${request.url}`);
    const url = new URL(request.url ?? '/', 'http://front');
    const head = request.method === 'HEAD';
    const extra: http.OutgoingHttpHeaders = {
      'docker-distribution-api-version': 'registry/2.0',
      ...profile.headers,
    };
    const answer = (status: number, body: Buffer, headers: http.OutgoingHttpHeaders = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...extra,
        ...headers,
      });
      response.end(head ? undefined : body);
    };
    if (auth.scheme === 'bearer' && !auth.realmOnOtherHost && url.pathname === auth.realmPath)
      return tokenService(request, response);

    // Who is asking.
    const header = request.headers.authorization;
    let grant: Grant | undefined;
    let user: FrontUser | undefined;
    if (auth.scheme === 'basic') {
      const found = basicUser(header);
      if (found && found !== 'wrong') user = found;
    } else if (header?.startsWith('Bearer ')) {
      grant = grants.get(header.slice(7));
    }
    const authenticated = auth.scheme === 'basic' ? user !== undefined : grant !== undefined;
    const refuse = (scope?: string) =>
      answer(
        401,
        json({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }),
        {
          // Harbor answers a request that carried credentials with a Basic challenge (see profiles.ts).
          'www-authenticate':
            header && profile.basicChallengeAfterRefusal
              ? profile.basicChallengeAfterRefusal
              : challenge(scope),
        },
      );

    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      const accepted =
        auth.scheme === 'basic'
          ? authenticated
          : grant !== undefined && (grant.subject !== '' || profile.anonymousBase);
      return accepted ? answer(200, json({})) : refuse();
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.+)$/.exec(url.pathname);
    if (!match) return answer(404, json({ errors: [{ code: 'NOT_FOUND', message: 'no such route' }] }));
    const [, outer, kind, reference] = match as unknown as [string, string, string, string];
    const scope = `repository:${outer}:pull`;
    if (!authenticated) return refuse(scope);
    const name = stripPrefix(outer);
    const present = name !== undefined && (await exists(name));
    const readable =
      name !== undefined && (auth.scheme === 'basic' ? readableBy(user, name) : grant?.pull.has(name));
    const withChallenge = (rule: ProfileAnswer) =>
      rule.status === 401
        ? {
            'www-authenticate': `${challenge(scope)}${rule.insufficientScope ? ',error="insufficient_scope"' : ''}`,
          }
        : {};
    if (!present)
      return answer(
        profile.missingRepository.status,
        errorBody(profile.missingRepository, outer, reference),
        withChallenge(profile.missingRepository),
      );
    if (!readable)
      return answer(
        profile.forbidden.status,
        errorBody(profile.forbidden, outer, reference),
        withChallenge(profile.forbidden),
      );

    const path = `/v2/${name}/${kind}/${reference}${url.search}`;
    if (kind === 'blobs' && cdnHost) {
      const sig = randomBytes(12).toString('hex');
      signatures.set(sig, path);
      return answer(profile.blobRedirect as number, Buffer.alloc(0), {
        location: `http://${cdnHost}/blob/${encodeURIComponent(name as string)}?sig=${sig}`,
      });
    }
    const found = await backend(options.backendUrl, request.method ?? 'GET', path, request.headers);
    if (found.status === 404 && kind === 'manifests')
      return answer(
        profile.missingTag.status,
        errorBody(profile.missingTag, outer, reference),
        withChallenge(profile.missingTag),
      );
    const headers: http.OutgoingHttpHeaders = {};
    for (const key of ['content-type', 'docker-content-digest', 'etag']) {
      const value = found.headers[key];
      if (value !== undefined) headers[key] = value;
    }
    headers['content-length'] = found.headers['content-length'] ?? String(found.body.length);
    if (kind === 'manifests' && !(head ? profile.digestOnHead : profile.digestOnGet))
      delete headers['docker-content-digest'];
    response.writeHead(found.status, { ...extra, ...headers });
    response.end(head ? undefined : found.body);
  };

  const main = track(
    http.createServer((request, response) => {
      registry(request, response).catch(() => {
        response.destroy();
      });
    }),
  );
  host = await listen(main);

  for (const user of options.users) if (user.identityToken) refreshTokens.set(user.identityToken, user);
  return {
    profile,
    host,
    url: `http://${host}`,
    tokenHost,
    issued,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}
