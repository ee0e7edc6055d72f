// A loopback HTTP server for the stand-ins: listening on a free port, and closed with every connection it
// still holds (keep-alive sockets would otherwise keep `close` waiting).
import type http from 'node:http';
import type net from 'node:net';

export async function listenOnLoopback(
  server: http.Server,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
