/*
 * Loopback TCP servers for tests that need "something listens on this port"
 * (a fake OpenClaw gateway), and ports nothing listens on. Close what listen()
 * returned with closeAll() in afterEach.
 */
import { createServer, type Server } from 'node:net';

const open: Server[] = [];

/** A listening server on a free loopback port. */
export async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => sock.destroy());
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

/** A port nothing listens on (taken from the OS, then released). */
export async function freePort(): Promise<number> {
  const { server, port } = await listen();
  open.splice(open.indexOf(server), 1);
  await new Promise((r) => server.close(r));
  return port;
}

/** Closes every server listen() opened. */
export async function closeAll(): Promise<void> {
  for (const s of open.splice(0)) await new Promise((r) => s.close(r));
}
