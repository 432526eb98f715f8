import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, ControlError, errorResponse, parseRequest, type ControlRequest } from '../../src/control/protocol.js';

const EXPECTED_COMMANDS = 'expected one of status, start, stop, restart, signal, reload, ready, health, logs';

// The ControlError that parsing `line` must throw; its code is always bad-request.
function rejectionOf(line: string): ControlError {
  let caught: unknown;
  try {
    parseRequest(line);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ControlError, `expected a ControlError for ${line}, got ${String(caught)}`);
  assert.equal(caught.name, 'ControlError');
  assert.equal(caught.code, 'bad-request');
  return caught;
}

function messageOf(line: string): string {
  return rejectionOf(line).message;
}

describe('parseRequest: valid requests', () => {
  // [line, parsed request]
  const table: [string, ControlRequest][] = [
    ['{"command":"status"}', { command: 'status', services: [] }],
    ['{"command":"status","services":[]}', { command: 'status', services: [] }],
    ['{"command":"status","services":["web","db"]}', { command: 'status', services: ['web', 'db'] }],
    ['{"command":"start","services":["web"]}', { command: 'start', services: ['web'] }],
    ['{"command":"stop","services":["web","db"]}', { command: 'stop', services: ['web', 'db'] }],
    ['{"command":"restart","services":["a","b","c"]}', { command: 'restart', services: ['a', 'b', 'c'] }],
    ['{"command":"signal","service":"web","signal":"HUP"}', { command: 'signal', service: 'web', signal: 'HUP' }],
    ['{"command":"signal","service":"web","signal":"SIGUSR2"}', { command: 'signal', service: 'web', signal: 'SIGUSR2' }],
    ['{"command":"reload"}', { command: 'reload' }],
    ['{"command":"ready"}', { command: 'ready' }],
    ['{"command":"health"}', { command: 'health' }],
    ['{"command":"logs","service":"web"}', { command: 'logs', service: 'web', lines: 10, follow: false, streams: ['stdout', 'stderr'] }],
    [
      '{"command":"logs","service":"web","lines":0,"follow":true,"streams":["stderr"]}',
      { command: 'logs', service: 'web', lines: 0, follow: true, streams: ['stderr'] },
    ],
  ];

  for (const [line, expected] of table) {
    test(`${line} parses`, () => {
      assert.deepEqual(parseRequest(line), expected);
    });
  }

  test('every command has a valid form in the table', () => {
    assert.deepEqual(new Set(table.map(([, request]) => request.command)), new Set(COMMANDS));
    assert.deepEqual(COMMANDS, ['status', 'start', 'stop', 'restart', 'signal', 'reload', 'ready', 'health', 'logs']);
  });

  test('whitespace around the object and key order do not matter', () => {
    assert.deepEqual(parseRequest(' {"services":["web"], "command":"stop"}\n'), { command: 'stop', services: ['web'] });
  });

  test('the longest names and signal allowed pass', () => {
    const name = 'a'.repeat(256);
    assert.deepEqual(parseRequest(JSON.stringify({ command: 'start', services: [name] })), { command: 'start', services: [name] });
    const signal = 'S'.repeat(32);
    assert.deepEqual(parseRequest(JSON.stringify({ command: 'signal', service: 'web', signal })), { command: 'signal', service: 'web', signal });
    const many = Array.from({ length: 1000 }, (_, i) => `s${i}`);
    assert.deepEqual(parseRequest(JSON.stringify({ command: 'stop', services: many })), { command: 'stop', services: many });
  });
});

describe('parseRequest: malformed JSON', () => {
  for (const line of ['', '{', '{"command":"status"', "{'command':'status'}", 'status', '{"command":"status"} {"command":"stop"}']) {
    test(`${JSON.stringify(line)} is not valid JSON, and the message shows what to send`, () => {
      const message = messageOf(line);
      // The middle is V8's own wording, which changes between Node versions.
      assert.match(message, /^the request is not valid JSON \(.+\); send one JSON object on one line, e\.g\. \{"command":"status"\}$/);
    });
  }

  test('the JSON parser says what it choked on', () => {
    assert.equal(messageOf(''), 'the request is not valid JSON (Unexpected end of JSON input); send one JSON object on one line, e.g. {"command":"status"}');
  });
});

describe('parseRequest: not a request object', () => {
  // JSON that parses but is not an object: the message says an object is expected.
  for (const line of ['null', '3', '"x"', '"status"', '[]', '["status"]', 'true']) {
    test(`${line} is rejected as not an object`, () => {
      assert.equal(messageOf(line), `the request must be a JSON object with a "command" key, e.g. {"command":"status"}; got ${line}`);
    });
  }

  test('{} says the command key is missing and lists the commands', () => {
    assert.equal(messageOf('{}'), `no "command" key; ${EXPECTED_COMMANDS}`);
  });
});

describe('parseRequest: unknown command', () => {
  // [line, exact message]
  const table: [string, string][] = [
    ['{"command":"stauts"}', `unknown command "stauts"; ${EXPECTED_COMMANDS}`],
    ['{"command":"Status"}', `unknown command "Status"; ${EXPECTED_COMMANDS}`],
    ['{"command":""}', `unknown command ""; ${EXPECTED_COMMANDS}`],
    ['{"command":"toString"}', `unknown command "toString"; ${EXPECTED_COMMANDS}`],
    ['{"command":5}', `unknown command 5; ${EXPECTED_COMMANDS}`],
    ['{"command":null}', `unknown command null; ${EXPECTED_COMMANDS}`],
    ['{"command":["status"]}', `unknown command ["status"]; ${EXPECTED_COMMANDS}`],
    ['{"services":["web"]}', `no "command" key; ${EXPECTED_COMMANDS}`],
  ];

  for (const [line, expected] of table) {
    test(`${line}: ${expected.split(';')[0]!}`, () => {
      assert.equal(messageOf(line), expected);
    });
  }
});

describe('parseRequest: a known command in the wrong shape', () => {
  // [line, exact message]
  const table: [string, string][] = [
    // Extra keys: every request object is strict.
    ['{"command":"status","x":1}', 'bad status request: Unrecognized key: "x"'],
    ['{"command":"ready","x":1,"y":2}', 'bad ready request: Unrecognized keys: "x", "y"'],
    ['{"command":"reload","services":["web"]}', 'bad reload request: Unrecognized key: "services"'],
    ['{"command":"health","service":"web"}', 'bad health request: Unrecognized key: "service"'],
    ['{"command":"stop","services":["web"],"signal":"KILL"}', 'bad stop request: Unrecognized key: "signal"'],
    ['{"command":"signal","service":"web","signal":"HUP","services":[]}', 'bad signal request: Unrecognized key: "services"'],
    ['{"command":"status","__proto__":{"x":1}}', 'bad status request: Unrecognized key: "__proto__"'],
    // start, stop and restart need at least one name.
    ['{"command":"stop","services":[]}', 'bad stop request: services: Too small: expected array to have >=1 items'],
    ['{"command":"start","services":[]}', 'bad start request: services: Too small: expected array to have >=1 items'],
    ['{"command":"restart","services":[]}', 'bad restart request: services: Too small: expected array to have >=1 items'],
    ['{"command":"stop"}', 'bad stop request: services: Invalid input: expected array, received undefined'],
    // Wrong types.
    ['{"command":"status","services":"web"}', 'bad status request: services: Invalid input: expected array, received string'],
    ['{"command":"status","services":null}', 'bad status request: services: Invalid input: expected array, received null'],
    ['{"command":"status","services":[1]}', 'bad status request: services.0: Invalid input: expected string, received number'],
    ['{"command":"start","services":["web",2]}', 'bad start request: services.1: Invalid input: expected string, received number'],
    ['{"command":"signal","service":5,"signal":"HUP"}', 'bad signal request: service: Invalid input: expected string, received number'],
    ['{"command":"signal","service":"web","signal":1}', 'bad signal request: signal: Invalid input: expected string, received number'],
    ['{"command":"signal","service":"web"}', 'bad signal request: signal: Invalid input: expected string, received undefined'],
    ['{"command":"signal","services":["web"],"signal":"HUP"}', 'bad signal request: service: Invalid input: expected string, received undefined'],
    // Bounds.
    ['{"command":"signal","service":"","signal":"HUP"}', 'bad signal request: service: Too small: expected string to have >=1 characters'],
    ['{"command":"signal","service":"web","signal":""}', 'bad signal request: signal: Too small: expected string to have >=1 characters'],
    ['{"command":"stop","services":[""]}', 'bad stop request: services.0: Too small: expected string to have >=1 characters'],
    [JSON.stringify({ command: 'start', services: ['a'.repeat(257)] }), 'bad start request: services.0: Too big: expected string to have <=256 characters'],
    [
      JSON.stringify({ command: 'signal', service: 'web', signal: 'S'.repeat(33) }),
      'bad signal request: signal: Too big: expected string to have <=32 characters',
    ],
    [
      JSON.stringify({ command: 'stop', services: Array.from({ length: 1001 }, () => 'a') }),
      'bad stop request: services: Too big: expected array to have <=1000 items',
    ],
  ];

  for (const [line, expected] of table) {
    test(`${line.length > 80 ? `${line.slice(0, 77)}...` : line}: ${expected}`, () => {
      assert.equal(messageOf(line), expected);
    });
  }

  test('a duplicated key counts as written last (JSON.parse), and is then checked', () => {
    assert.equal(messageOf('{"command":"status","command":"stop"}'), 'bad stop request: services: Invalid input: expected array, received undefined');
  });
});

describe('ControlError and errorResponse', () => {
  test('a ControlError is an Error with a code and the message as given', () => {
    const error = new ControlError('unknown-service', 'no service named "wbe"; did you mean "web"?');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ControlError');
    assert.equal(error.code, 'unknown-service');
    assert.equal(error.message, 'no service named "wbe"; did you mean "web"?');
  });

  test('errorResponse carries the code and the message, nothing else', () => {
    assert.deepEqual(errorResponse(new ControlError('shutting-down', 'corral is shutting down')), {
      ok: false,
      error: { code: 'shutting-down', message: 'corral is shutting down' },
    });
  });

  test('a parse failure becomes a bad-request response that round-trips through JSON', () => {
    const response = errorResponse(rejectionOf('{"command":"stop","services":[]}'));
    assert.deepEqual(JSON.parse(JSON.stringify(response)), {
      ok: false,
      error: { code: 'bad-request', message: 'bad stop request: services: Too small: expected array to have >=1 items' },
    });
  });
});
