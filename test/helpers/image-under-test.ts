// The base image the image tests share: built once per test file (the engine's layer cache
// makes the second build of a run cheap), FROM CORRAL_TEST_BASE or the local stand-in.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { baseImage, buildCorralImage, buildExample, CORRAL_IMAGE, engineOrSkip, type Engine } from './container-engine.js';
import { scratchDir } from './scratch.js';

export const IMAGE_TEST_TIMEOUT_MS = 20 * 60_000;

let built: Promise<{ engine: Engine; base: string }> | undefined;

// The engine and the base corral was built FROM, once the image exists; undefined when
// the test was skipped for want of an engine.
export async function corralImage(t: TestContext): Promise<{ engine: Engine; base: string; image: string } | undefined> {
  const engine = engineOrSkip(t);
  if (!engine) return undefined;
  built ??= baseImage(engine).then(async (base) => {
    await buildCorralImage(engine, base);
    return { engine, base };
  });
  return { ...(await built), image: CORRAL_IMAGE };
}

export const EXAMPLE_WEB_IMAGE = 'localhost/corral-test/example-web';

// examples/nginx-node built FROM the base image, as EXAMPLE_WEB_IMAGE (the layer cache
// makes every build after the first cheap); undefined when the test was skipped.
export async function exampleWebImage(t: TestContext): Promise<{ engine: Engine; image: string } | undefined> {
  const built = await corralImage(t);
  if (!built) return undefined;
  await buildExample(built.engine, 'nginx-node', EXAMPLE_WEB_IMAGE);
  return { engine: built.engine, image: EXAMPLE_WEB_IMAGE };
}

// A directory for a bind mount: `files` maps a name to its text, or to text and mode.
// World-readable, so that services running as another user can read it too.
export function mountDir(t: TestContext, files: Record<string, string | { text: string; mode: number }>): string {
  const dir = join(scratchDir(t), 'mount');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(join(dir, '..'), 0o755);
  for (const [name, file] of Object.entries(files)) {
    const { text, mode } = typeof file === 'string' ? { text: file, mode: 0o644 } : file;
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), mode);
  }
  return dir;
}
