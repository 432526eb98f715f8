// The control socket reads at most 64 KiB of a request: tried at the limit and one byte
// past it, on a real unix socket in this process.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startControlServer } from '../../src/control/control-server.js';
import type { ControlRequest } from '../../src/control/protocol.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { scratchDir } from '../helpers/scratch.js';

const LIMIT = 64 * 1024;

// {"command":"health"} padded with spaces (JSON allows them) to exactly `bytes` bytes.
function healthRequest(bytes: number): string {
  const head = '{"command":"health"';
  return `${head}${' '.repeat(bytes - head.length - 1)}}`;
}

function ask(path: string, payload: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(payload));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  });
}

test(`control socket: a request of exactly ${LIMIT} bytes is answered; one byte more is refused as too-large, unread`, { timeout: 10_000 }, async (t) => {
  const handled: ControlRequest[] = [];
  const server = await startControlServer({
    path: join(scratchDir(t), 'control.sock'),
    handle: (request) => {
      handled.push(request);
      return Promise.resolve({ ok: true, command: 'health', passing: true, problems: [] });
    },
    peerUid: () => process.getuid!(),
    logger: captureLogger().logger,
  });
  t.after(() => server.close());

  assert.equal(Buffer.byteLength(healthRequest(LIMIT)), LIMIT);
  assert.deepEqual(await ask(server.path, `${healthRequest(LIMIT)}\n`), { ok: true, command: 'health', passing: true, problems: [] });
  assert.deepEqual(handled, [{ command: 'health' }]);

  assert.deepEqual(await ask(server.path, `${healthRequest(LIMIT + 1)}\n`), {
    ok: false,
    error: { code: 'too-large', message: 'the request is larger than 64 KiB' },
  });
  assert.equal(handled.length, 1, 'the request past the limit never reached the handler');
});
