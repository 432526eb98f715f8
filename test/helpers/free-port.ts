import { createServer, type AddressInfo } from 'node:net';

// A TCP port on 127.0.0.1 that was free a moment ago (unshare --pid shares the network
// namespace, so a PID-1 test's corral can listen on it).
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
