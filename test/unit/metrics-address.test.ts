import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { formatMetricsAddress, parseMetricsAddress } from '../../src/control/metrics-address.js';

// The message of the ConfigError that parsing `text` throws.
function refusal(text: string): string {
  try {
    parseMetricsAddress(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 1);
    assert.equal(error.problems[0]!.file, 'CORRAL_METRICS_ADDR');
    return error.problems[0]!.message;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('parseMetricsAddress', () => {
  test('accepts IPv4, all interfaces, bracketed IPv6 and host names', () => {
    assert.deepEqual(parseMetricsAddress('127.0.0.1:9100'), { host: '127.0.0.1', port: 9100 });
    assert.deepEqual(parseMetricsAddress('0.0.0.0:9100'), { host: '0.0.0.0', port: 9100 });
    assert.deepEqual(parseMetricsAddress(':9100'), { host: '0.0.0.0', port: 9100 });
    assert.deepEqual(parseMetricsAddress('[::1]:9100'), { host: '::1', port: 9100 });
    assert.deepEqual(parseMetricsAddress('[::]:1'), { host: '::', port: 1 });
    assert.deepEqual(parseMetricsAddress('localhost:65535'), { host: 'localhost', port: 65535 });
    assert.deepEqual(parseMetricsAddress('metrics.internal:9100'), { host: 'metrics.internal', port: 9100 });
  });

  test('ignores surrounding whitespace, as env files often leave it', () => {
    assert.deepEqual(parseMetricsAddress(' 127.0.0.1:9100\n'), { host: '127.0.0.1', port: 9100 });
  });

  test('refuses a value that is not HOST:PORT, with an example', () => {
    for (const text of ['9100x', '9100', '', 'localhost', '127.0.0.1:', '127.0.0.1:http', '127.0.0.1:91 00', '[::1]9100']) {
      assert.equal(refusal(text), `expected HOST:PORT such as 127.0.0.1:9100, got ${JSON.stringify(text)}`);
    }
  });

  test('refuses port 0: Prometheus needs to know the port', () => {
    assert.equal(refusal('127.0.0.1:0'), 'port 0 is not allowed: Prometheus needs a known port to scrape, such as 127.0.0.1:9100, got "127.0.0.1:0"');
  });

  test('refuses ports above 65535', () => {
    assert.equal(refusal(':65536'), 'port 65536 is out of range 1-65535, got ":65536"');
    assert.match(refusal(':123456'), /^expected HOST:PORT/);
  });

  test('asks for brackets around an IPv6 address', () => {
    assert.equal(refusal('::1:9100'), 'an IPv6 address needs brackets, such as [::1]:9100, got "::1:9100"');
  });

  test('refuses hosts that are neither an address nor a host name', () => {
    assert.match(refusal('999.1.1.1:9100'), /^"999\.1\.1\.1" is not an IP address or host name; expected HOST:PORT such as 127\.0\.0\.1:9100/);
    assert.match(refusal('bad_host:9100'), /^"bad_host" is not an IP address or host name/);
    assert.match(refusal('-x:9100'), /^"-x" is not an IP address or host name/);
    assert.match(refusal('[127.0.0.1]:9100'), /^"127\.0\.0\.1" in brackets is not an IPv6 address/);
  });

  test('the error names the variable, as the CLI prints it', () => {
    assert.throws(() => parseMetricsAddress('nope'), {
      name: 'ConfigError',
      code: 'CONFIG_INVALID',
      message: 'CORRAL_METRICS_ADDR: expected HOST:PORT such as 127.0.0.1:9100, got "nope"',
    });
  });
});

describe('formatMetricsAddress', () => {
  test('writes IPv6 hosts in brackets, others as they are', () => {
    assert.equal(formatMetricsAddress({ host: '::1', port: 9100 }), '[::1]:9100');
    assert.equal(formatMetricsAddress({ host: '127.0.0.1', port: 9100 }), '127.0.0.1:9100');
    assert.equal(formatMetricsAddress({ host: 'localhost', port: 9100 }), 'localhost:9100');
  });
});
