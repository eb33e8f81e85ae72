/**
 * A small TCP fault proxy (tc netem is not available on this kernel): sits between the gateway and
 * a registry and, per mode, passes bytes through, delays every chunk, resets connections, or
 * answers garbage. The mode can change at any time; it applies to new data on every connection.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'latency'; ms: number }
  | { kind: 'reset' }
  | { kind: 'garbage' }
  /** Answers every request with these bytes (a redirect, a 500, an oversized body) and closes. */
  | { kind: 'respond'; bytes: Buffer }
  /** Passes the registry's answer on until `afterBytes` of it, then resets (RST mid-body). */
  | { kind: 'cut'; afterBytes: number };

export interface FaultProxy {
  port: number;
  setMode(mode: FaultMode): void;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const GARBAGE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Length: 29\r\n\r\n{"not": json at all \u0000\u0007\r\n',
);

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    accepted++;
    sockets.add(client);
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk) => {
      const m = mode;
      if (m.kind === 'reset') {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      if (m.kind === 'garbage' || m.kind === 'respond') {
        client.end(m.kind === 'garbage' ? GARBAGE : m.bytes);
        upstream.destroy();
        return;
      }
      if (m.kind === 'latency') {
        client.pause();
        setTimeout(() => {
          if (!upstream.destroyed) upstream.write(chunk);
          client.resume();
        }, m.ms);
        return;
      }
      upstream.write(chunk);
    });
    let passed = 0;
    upstream.on('data', (chunk: Buffer) => {
      const m = mode;
      if (m.kind === 'cut') {
        const room = m.afterBytes - passed;
        if (room > 0 && !client.destroyed) client.write(chunk.subarray(0, room));
        passed += chunk.length;
        if (passed >= m.afterBytes) {
          client.resetAndDestroy();
          upstream.destroy();
        }
        return;
      }
      if (m.kind === 'latency') {
        upstream.pause();
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
          upstream.resume();
        }, m.ms);
        return;
      }
      if (!client.destroyed) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    setMode(next) {
      mode = next;
    },
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
