#!/usr/bin/env node
// npm test: type check and every test/**/*.test.ts through Node's test runner.
//
//   node scripts/run-tests.mjs                  everything (tsc --noEmit runs alongside the tests)
//   node scripts/run-tests.mjs --tier unit      one tier: unit, services or browser (repeatable)
//   node scripts/run-tests.mjs redis lab        only files whose path contains one of the words
//
// A file's tier follows from what it needs, so a new test file lands in the right one by itself:
//   browser   it lives in test/browser/ (Chromium)
//   services  it calls redisSkip or postgresSkip (test/support/services.ts): Redis or PostgreSQL
//   unit      the rest: nothing but Node (the in-process app on the embedded PGlite)
//
// Files run TEST_CONCURRENCY (default 2) at a time, except those that assert a deadline on live
// behaviour (an expiry announced within a second, a heartbeat): those run afterwards, one at a time
// with nothing beside them. They are the browser tier and every file with a line starting with
// `// serial: <why>`.
//
// One empty PGlite cluster is created per run and copied by the test helpers (test/support/pglite.ts),
// so each embedded database a test opens skips initdb but still runs the real migrations.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const TIERS = ['unit', 'services', 'browser'];

async function testFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])),
  );
  return nested.flat().sort();
}

async function describeFile(path) {
  const source = await readFile(path, 'utf8');
  const tier = path.startsWith(join('test', 'browser')) ? 'browser' : /\b(redisSkip|postgresSkip)\b/.test(source) ? 'services' : 'unit';
  return { path, tier, serial: tier === 'browser' || /^\/\/ serial: /m.test(source) };
}

function parseArgs(argv) {
  const tiers = [];
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const tier = arg === '--tier' ? argv[++i] : arg.startsWith('--tier=') ? arg.slice('--tier='.length) : undefined;
    if (arg === '--tier' || arg.startsWith('--tier=')) {
      if (!TIERS.includes(tier)) {
        console.error(`--tier must be one of ${TIERS.join(', ')}, not ${JSON.stringify(tier)}`);
        process.exit(2);
      }
      tiers.push(tier);
    } else {
      words.push(arg);
    }
  }
  return { tiers, words };
}

/** Runs a command; its output goes to ours, or is collected when `quiet` (printed by the caller). */
function run(args, { quiet = false, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    let output = '';
    if (quiet) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('close', (code, signal) => resolve({ ok: code === 0, output: output || (signal ? `killed by ${signal}` : '') }));
  });
}

const { tiers, words } = parseArgs(process.argv.slice(2));
const all = await Promise.all((await testFiles('test')).map(describeFile));
const selected = all.filter((f) => (!tiers.length || tiers.includes(f.tier)) && (!words.length || words.some((w) => f.path.includes(w))));
if (!selected.length) {
  console.error(`no test file matches ${process.argv.slice(2).join(' ')}`);
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY) || 2);

const started = Date.now();
const typecheck = tiers.length || words.length ? null : run(['node_modules/typescript/bin/tsc', '--noEmit'], { quiet: true });

const template = await mkdtemp(join(tmpdir(), 'boxoffice-pglite-template-'));
let failed = false;
try {
  await (await PGlite.create({ dataDir: template })).close();
  const env = { ...process.env, BOXOFFICE_TEST_PGLITE_TEMPLATE: template };
  const test = (files, n) => run(['--import', 'tsx', '--test', `--test-concurrency=${n}`, ...files.map((f) => f.path)], { env });

  const shared = selected.filter((f) => !f.serial);
  const alone = selected.filter((f) => f.serial);
  if (shared.length && !(await test(shared, concurrency)).ok) failed = true;
  if (alone.length && !(await test(alone, 1)).ok) failed = true;
} finally {
  await rm(template, { recursive: true, force: true });
}

if (typecheck) {
  const { ok, output } = await typecheck;
  if (output) process.stdout.write(output);
  if (!ok) {
    console.error('type check failed');
    failed = true;
  }
}
const counts = TIERS.map((t) => `${selected.filter((f) => f.tier === t).length} ${t}`).join(', ');
console.log(`# ${selected.length} files (${counts}) in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? ': FAILED' : ''}`);
process.exit(failed ? 1 : 0);
