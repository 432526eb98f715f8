// The load worker (src/config/load-worker.ts) for tests that run the .ts sources: on
// Node 20 a worker thread does not get tsx's hooks from --import tsx, so it imports the
// source through tsx's API. Built, corral runs dist/config/load-worker.cjs directly.
import { tsImport } from 'tsx/esm/api';

await tsImport('../../src/config/load-worker.ts', import.meta.url);
