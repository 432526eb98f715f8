// The README is short and sends the reader to docs/ for every detail: each relative link
// in the README, docs/ and the examples' READMEs must reach a file that exists and, with a
// #fragment, a heading of that file (GitHub's anchors: lower case, punctuation dropped,
// spaces to hyphens).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...readdirSync(join(ROOT, 'examples'))
    .map((name) => `examples/${name}/README.md`)
    .filter((page) => existsSync(join(ROOT, page))),
];

function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

// [text](target) outside code blocks and code spans, without a scheme.
function linksIn(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

describe('links between the documentation pages', () => {
  test('GitHub anchors', () => {
    assert.equal(anchorOf('Init scripts: /etc/corral/init.d'), 'init-scripts-etccorralinitd');
    assert.equal(anchorOf('Running as PID 1, or not'), 'running-as-pid-1-or-not');
    assert.equal(anchorOf('The main service: `corral -- CMD`'), 'the-main-service-corral----cmd');
  });

  for (const page of pages) {
    test(`${page}: every relative link reaches a file, and a heading when it names one`, () => {
      const from = join(ROOT, page);
      for (const link of linksIn(from)) {
        const [path = '', fragment] = link.split('#');
        const target = path === '' ? from : join(dirname(from), path);
        assert.ok(existsSync(target), `${page}: ${link}: no ${relative(ROOT, target)}`);
        if (fragment === undefined) continue;
        const file = statSync(target).isDirectory() ? join(target, 'README.md') : target;
        assert.ok(anchorsIn(file).has(fragment), `${page}: ${link}: no heading #${fragment} in ${relative(ROOT, file)}`);
      }
    });
  }
});
