#!/usr/bin/env node
// npm test: type check, then every test/**/*.test.ts through Node's test runner (one file at a time,
// so timing-sensitive tests never share the machine's two cores with another suite).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = (function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
})('test').sort();
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (!only.length && run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit']) !== 0) {
  console.error('type check failed');
  process.exit(1);
}
process.exit(run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...selected]));
