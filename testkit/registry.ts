// Real registries for the tests: Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1, with a free
// port and temporary storage, in three setups: plain HTTP; HTTPS with a self-signed certificate and htpasswd
// Basic auth; Bearer token auth against a small token server of our own.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign, X509Certificate } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type RegistryKind = 'plain' | 'basic-tls' | 'token';

export interface TokenServer {
  url: string;
  /** Token requests answered so far (granted or not). */
  requests: number;
  /** Scopes asked for, in order. */
  scopes: string[];
  /** Answer with only `access_token` (true) instead of `token` (false, the default). */
  accessTokenOnly: boolean;
  /** Grant at most this many of the scopes asked in one request (the rest get no access); unlimited when 0. */
  maxScopesPerToken: number;
  /** Every token handed out, so tests can look for them where they must never appear. */
  issued: string[];
  /** Holds each answer this long (0: at once), so a test can act while a token request is under way. */
  answerDelayMs: number;
  close(): Promise<void>;
}

export interface TestRegistry {
  kind: RegistryKind;
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://host` or `https://host` */
  url: string;
  username?: string;
  password?: string;
  caCertFile?: string;
  storageDir: string;
  logFile: string;
  tokenServer?: TokenServer;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A self-signed certificate for 127.0.0.1 and localhost, with its key. */
export async function selfSignedCertificate(
  dir: string,
  name: string,
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** The libtrust key ID distribution expects in a token's `kid`: base32 of the first 240 bits of sha256(SPKI). */
export function libtrustKeyId(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(spki).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of hash) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let index = 0; index < bits.length; index += 5)
    encoded += alphabet[parseInt(bits.slice(index, index + 5), 2)];
  return (encoded.match(/.{4}/g) as string[]).join(':');
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

async function startTokenServer(options: {
  keyPem: string;
  certPem: string;
  issuer: string;
  service: string;
  username: string;
  password: string;
}): Promise<TokenServer> {
  const kid = libtrustKeyId(options.certPem);
  const state = {
    requests: 0,
    scopes: [] as string[],
    accessTokenOnly: false,
    maxScopesPerToken: 0,
    issued: [] as string[],
    answerDelayMs: 0,
  };
  const server = http.createServer((request, response) => {
    state.requests += 1;
    const url = new URL(request.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope');
    state.scopes.push(...scopes);
    const header = request.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : '';
    if (decoded !== `${options.username}:${options.password}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad or missing credentials' }] }),
      );
      return;
    }
    const granted = state.maxScopesPerToken ? scopes.slice(0, state.maxScopesPerToken) : scopes;
    const access = granted.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
    const claims = base64url(
      JSON.stringify({
        iss: options.issuer,
        sub: options.username,
        aud: options.service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signature = base64url(sign('sha256', Buffer.from(`${head}.${claims}`), options.keyPem));
    const token = `${head}.${claims}.${signature}`;
    state.issued.push(token);
    const answer = () => {
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          state.accessTokenOnly
            ? { access_token: token, expires_in: 300 }
            : { token, expires_in: 300, issued_at: new Date().toISOString() },
        ),
      );
    };
    if (state.answerDelayMs) setTimeout(answer, state.answerDelayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/token`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as TokenServer;
}

/** Waits until GET /v2/ answers (200 or 401) or the process dies. */
async function waitUntilServing(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `docker-registry exited (${child.exitCode}): ${await readFile(logFile, 'utf8').catch(() => '')}`,
      );
    }
    const status = await new Promise<number>((resolve) => {
      const client = url.startsWith('https') ? https : http;
      const request = client.get(`${url}/v2/`, { rejectUnauthorized: false, timeout: 500 }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', () => resolve(0));
      request.on('timeout', () => request.destroy());
    });
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `docker-registry at ${url} did not answer: ${await readFile(logFile, 'utf8').catch(() => '')}`,
  );
}

export interface RegistryOptions {
  /** Serve this storage folder (another registry's, read side by side) instead of a new empty one. */
  storageDir?: string;
  /** The realm the registry names in its challenge, from the token server's URL (e.g. a relay in front). */
  tokenRealm?: (tokenServerUrl: string) => Promise<string> | string;
  /**
   * Go's GOGC for the registry process (default 100). The benchmarks raise it: their registries stand in for
   * servers on other machines, and the CPU their garbage collector takes here is taken from the tool measured.
   */
  gogc?: number;
  /**
   * Serve HTTPS (a self-signed certificate, no auth) on port 443 of this loopback address, so the registry's
   * name has no port: tools that put the source registry into a path (skopeo sync --scoped) cannot take a
   * `host:port` there. Needs the right to bind port 443 (root, as in CI).
   */
  tlsAddress?: string;
}

export async function startRegistry(
  kind: RegistryKind,
  options: RegistryOptions = {},
): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), `mv-registry-${kind}-`));
  const storageDir = options.storageDir ?? join(dir, 'storage');
  const logFile = join(dir, 'registry.log');
  const port = options.tlsAddress ? 443 : await freePort();
  const host = options.tlsAddress ?? `127.0.0.1:${port}`;
  const username = kind === 'plain' ? undefined : 'mirror-tester';
  const password = kind === 'plain' ? undefined : randomBytes(12).toString('base64url');
  let caCertFile: string | undefined;
  let tokenServer: TokenServer | undefined;
  const config: string[] = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${options.tlsAddress ? `${options.tlsAddress}:443` : host}`,
    '  secret: mirror-validate-tests',
  ];
  if (options.tlsAddress && kind === 'plain') {
    const { cert, key } = await selfSignedCertificate(dir, 'registry');
    caCertFile = cert;
    config.push('  tls:', `    certificate: ${cert}`, `    key: ${key}`);
  }
  if (kind === 'basic-tls') {
    const { cert, key } = await selfSignedCertificate(dir, 'registry');
    caCertFile = cert;
    const { stdout } = await run('htpasswd', ['-Bbn', username as string, password as string]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    config.push('  tls:', `    certificate: ${cert}`, `    key: ${key}`);
    config.push('auth:', '  htpasswd:', '    realm: mirror-validate', `    path: ${join(dir, 'htpasswd')}`);
  }
  if (kind === 'token') {
    const { cert, key } = await selfSignedCertificate(dir, 'token-signer');
    const service = 'mirror-validate-test';
    const issuer = 'mirror-validate-test-issuer';
    tokenServer = await startTokenServer({
      keyPem: await readFile(key, 'utf8'),
      certPem: await readFile(cert, 'utf8'),
      issuer,
      service,
      username: username as string,
      password: password as string,
    });
    config.push(
      'auth:',
      '  token:',
      `    realm: ${options.tokenRealm ? await options.tokenRealm(tokenServer.url) : tokenServer.url}`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${cert}`,
    );
  }
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, config.join('\n') + '\n');
  const logFd = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', configFile], {
    stdio: ['ignore', logFd, logFd],
    env: options.gogc ? { ...process.env, GOGC: String(options.gogc) } : process.env,
  });
  closeSync(logFd);
  children.add(child);
  const url = `${kind === 'basic-tls' || options.tlsAddress ? 'https' : 'http'}://${host}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    children.delete(child);
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, host, url, username, password, caCertFile, storageDir, logFile, tokenServer, stop };
}
