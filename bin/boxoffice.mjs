#!/usr/bin/env node
// The boxoffice command (`boxoffice stress ...`): runs the compiled CLI, building dist/ first when it is
// missing or stale (see scripts/build.mjs).
import { BuildError, buildIfStale } from '../scripts/build.mjs';

try {
  buildIfStale();
} catch (e) {
  if (!(e instanceof BuildError)) throw e;
  process.stderr.write(`boxoffice: ${e.message}\n`);
  process.exit(1);
}
await import('../dist/src/cli/boxoffice.js');
