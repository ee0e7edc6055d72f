// A TCP relay that puts a wide-area network between a client and a loopback server: every byte is held RTT/2
// in each direction, and a new connection pays the TCP handshake (one RTT) before its first byte arrives.
// It relays bytes, not HTTP, so TLS, keep-alive and pipelining behave as they would across a real link.
import net from 'node:net';

export interface Relay {
  /** `127.0.0.1:PORT` of the relay. */
  host: string;
  /** Connections accepted so far. */
  connections: number;
  /** The round-trip time added, in ms; a change applies to the bytes relayed from then on. */
  rttMs: number;
  close(): Promise<void>;
}

/** One direction of a connection: chunks delivered in order, each no earlier than it is due. */
class DelayedPipe {
  readonly #queue: { due: number; chunk?: Buffer }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastDue = 0;

  constructor(
    private readonly to: net.Socket,
    private readonly delayMs: () => number,
    firstDue: number,
  ) {
    this.#lastDue = firstDue;
  }

  /** Queues a chunk, or the end of the stream when chunk is undefined. */
  push(chunk?: Buffer): void {
    const due = Math.max(Date.now() + this.delayMs(), this.#lastDue);
    this.#lastDue = due;
    this.#queue.push({ due, chunk });
    this.#pump();
  }

  #pump(): void {
    if (this.#timer || this.#queue.length === 0) return;
    const wait = Math.max(0, (this.#queue[0] as { due: number }).due - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = Date.now();
      while (this.#queue.length > 0 && (this.#queue[0] as { due: number }).due <= now) {
        const { chunk } = this.#queue.shift() as { chunk?: Buffer };
        if (this.to.destroyed) continue;
        if (chunk) this.to.write(chunk);
        else this.to.end();
      }
      this.#pump();
    }, wait);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

/** Starts a relay on 127.0.0.1 to `target` (`host:port`) with the given round-trip time. */
export async function startRelay(target: string, rttMs: number): Promise<Relay> {
  const [targetHost, targetPort] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.split(':').pop()),
  ];
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, rttMs };
  const half = () => state.rttMs / 2;
  const server = net.createServer((client) => {
    state.connections += 1;
    client.setNoDelay(true);
    const upstream = net.connect({ host: targetHost, port: targetPort });
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const accepted = Date.now();
    // The client's first bytes leave after the SYN/SYN-ACK round trip and then take half a round trip.
    const toServer = new DelayedPipe(upstream, half, accepted + 3 * half());
    const toClient = new DelayedPipe(client, half, 0);
    client.on('data', (chunk: Buffer) => toServer.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    client.on('end', () => toServer.push());
    upstream.on('end', () => toClient.push());
    const teardown = () => {
      toServer.stop();
      toClient.stop();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    // What is still queued for the other side is due within 1.5 RTT: let it arrive, then let go.
    client.on('close', () => setTimeout(teardown, 4 * half() + 10));
    upstream.on('close', () => setTimeout(teardown, 4 * half() + 10));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return Object.assign(state, {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}
