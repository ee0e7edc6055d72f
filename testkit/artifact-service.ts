// A loopback stand-in for GitHub's artifact (results) service, enough of its protocol for @actions/artifact:
// CreateArtifact, block-blob upload (blocks, then the block list), FinalizeArtifact. The real service cannot
// run here; everything about the upload that is ours (which files, what bytes) is checked through it.
import http from 'node:http';
import type net from 'node:net';
import { inflateRawSync } from 'node:zlib';

export interface UploadedArtifact {
  name: string;
  /** The uploaded blob (a zip), assembled from its block list. */
  zip: Buffer;
  finalized: boolean;
}

export interface ArtifactService {
  url: string;
  artifacts: UploadedArtifact[];
  /** Answer CreateArtifact with this status instead (4xx to test failures; 5xx is retried for long). */
  failCreateWith?: number;
  close(): Promise<void>;
}

/** A runtime token as the runner hands it out: a JWT whose `scp` names the run and job (never verified). */
export function runtimeToken(runId = '1234', jobId = '5678'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: `Actions.GenericRead:1 Actions.Results:${runId}:${jobId}` })}.c2ln`;
}

export async function startArtifactService(): Promise<ArtifactService> {
  const blocks = new Map<string, Buffer>();
  const service: ArtifactService = { url: '', artifacts: [], close: async () => {} };
  let current: UploadedArtifact | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://stub');
      const reply = (status: number, value?: object) => {
        response.writeHead(status, value ? { 'content-type': 'application/json' } : {});
        response.end(value ? JSON.stringify(value) : undefined);
      };
      if (url.pathname.endsWith('ArtifactService/CreateArtifact')) {
        if (service.failCreateWith)
          return reply(service.failCreateWith, { code: 'invalid_argument', msg: 'refused by the test' });
        const { name } = JSON.parse(body.toString()) as { name: string };
        current = { name, zip: Buffer.alloc(0), finalized: false };
        service.artifacts.push(current);
        return reply(200, {
          ok: true,
          signed_upload_url: `${service.url}/account/container/blob.zip?sig=test`,
        });
      }
      if (url.pathname.endsWith('ArtifactService/FinalizeArtifact')) {
        if (current) current.finalized = true;
        return reply(200, { ok: true, artifact_id: String(service.artifacts.length) });
      }
      if (request.method === 'PUT' && url.pathname === '/account/container/blob.zip') {
        const comp = url.searchParams.get('comp');
        if (comp === 'block') {
          blocks.set(url.searchParams.get('blockid') ?? '', body);
          return reply(201);
        }
        if (comp === 'blocklist') {
          const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)].map(
            (match) => match[1] ?? '',
          );
          if (current) current.zip = Buffer.concat(ids.map((id) => blocks.get(id) ?? Buffer.alloc(0)));
          return reply(201);
        }
        if (current) current.zip = body;
        return reply(201);
      }
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

/** The files of a zip, by name, read through its central directory. */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  for (let index = 0; index < count; index += 1) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString();
    const localName = zip.readUInt16LE(localOffset + 26);
    const localExtra = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localName + localExtra;
    const data = zip.subarray(start, start + compressedSize);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}
