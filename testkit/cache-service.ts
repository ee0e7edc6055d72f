// A loopback stand-in for GitHub's cache service (v2, as @actions/cache speaks it): look up an entry by key or
// key prefix, create one, upload its archive to a signed URL (a blob PUT), finalize it, download it by GET.
// The real service cannot run here; what is ours (which folder, which key, restored or not) is checked through it.
import http from 'node:http';
import type net from 'node:net';

interface Entry {
  key: string;
  version: string;
  archive: Buffer;
  finalized: boolean;
}

export interface CacheService {
  url: string;
  entries: Entry[];
  requests: string[];
  close(): Promise<void>;
}

export async function startCacheService(): Promise<CacheService> {
  const service: CacheService = { url: '', entries: [], requests: [], close: async () => {} };
  const blocks = new Map<string, Buffer>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://stub');
      service.requests.push(`${request.method} ${url.pathname}`);
      const reply = (status: number, value?: object | Buffer) => {
        if (Buffer.isBuffer(value)) {
          response.writeHead(status, {
            'content-type': 'application/octet-stream',
            'content-length': value.length,
          });
          response.end(value);
          return;
        }
        response.writeHead(status, value ? { 'content-type': 'application/json' } : {});
        response.end(value ? JSON.stringify(value) : undefined);
      };
      const json = () => JSON.parse(body.toString() || '{}') as Record<string, unknown>;
      if (url.pathname.endsWith('CacheService/GetCacheEntryDownloadURL')) {
        const {
          key,
          restore_keys: snake,
          restoreKeys: camel,
          version,
        } = json() as { key: string; restore_keys?: string[]; restoreKeys?: string[]; version: string };
        const finalized = service.entries.filter((entry) => entry.finalized && entry.version === version);
        const match =
          finalized.find((entry) => entry.key === key) ??
          [...(snake ?? camel ?? [])]
            .map((prefix) => finalized.filter((e) => e.key.startsWith(prefix)).at(-1))
            .find(Boolean);
        if (!match) return reply(200, { ok: false });
        const index = service.entries.indexOf(match);
        return reply(200, {
          ok: true,
          signed_download_url: `${service.url}/cache/${index}?sig=x`,
          matched_key: match.key,
        });
      }
      if (url.pathname.endsWith('CacheService/CreateCacheEntry')) {
        const { key, version } = json() as { key: string; version: string };
        if (service.entries.some((entry) => entry.key === key && entry.version === version)) {
          return reply(409, { code: 'already_exists', msg: 'cache entry exists' });
        }
        service.entries.push({ key, version, archive: Buffer.alloc(0), finalized: false });
        return reply(200, {
          ok: true,
          signed_upload_url: `${service.url}/cache/${service.entries.length - 1}?sig=x`,
        });
      }
      if (url.pathname.endsWith('CacheService/FinalizeCacheEntryUpload')) {
        const { key, version } = json() as { key: string; version: string };
        const entry = service.entries.find((e) => e.key === key && e.version === version);
        if (!entry) return reply(404, { code: 'not_found', msg: 'no such entry' });
        entry.finalized = true;
        return reply(200, { ok: true, entry_id: String(service.entries.indexOf(entry) + 1) });
      }
      const blob = /^\/cache\/(\d+)$/.exec(url.pathname);
      const entry = blob ? service.entries[Number(blob[1])] : undefined;
      if (entry && request.method === 'PUT') {
        const comp = url.searchParams.get('comp');
        if (comp === 'block') blocks.set(`${blob![1]} ${url.searchParams.get('blockid')}`, body);
        else if (comp === 'blocklist') {
          const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)].map(
            (m) => m[1] ?? '',
          );
          entry.archive = Buffer.concat(ids.map((id) => blocks.get(`${blob![1]} ${id}`) ?? Buffer.alloc(0)));
        } else entry.archive = body;
        return reply(201);
      }
      if (entry && (request.method === 'GET' || request.method === 'HEAD')) return reply(200, entry.archive);
      reply(404, { msg: `stub does not know ${request.method} ${url.pathname}` });
    });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  service.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return service;
}
