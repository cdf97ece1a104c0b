#!/usr/bin/env node
// npm test: the type check and every test/**/*.test.ts, each file in a Node process of its own.
//
//   node scripts/run-tests.mjs                  everything (the type checks, server and web, run alongside the tests)
//   node scripts/run-tests.mjs --tier unit      one tier: unit, services or browser (repeatable)
//   node scripts/run-tests.mjs redis lab        only files whose path contains one of the words
//
// A file's tier follows from what it needs, so a new test file lands in the right one by itself:
//   browser   it lives in test/browser/ (Chromium)
//   services  it calls redisSkip, postgresSkip or rabbitSkip (test/support/services.ts): Redis, PostgreSQL or RabbitMQ
//   unit      the rest: nothing but Node (the in-process app on the embedded PGlite)
//
// Files that assert a deadline on live behaviour (an expiry announced within a second, a heartbeat
// answered in time) run one at a time, at normal priority: the browser tier, and every file with a
// line starting with `// serial: <why>`. Beside them, TEST_CONCURRENCY (default 2) other files run
// at a lower priority, with the type check, and take the CPU the deadline-sensitive lane leaves;
// once that lane is done, all run at normal priority and it takes other files too. Files start
// longest first, by the times of the last run (test-output/test-times.json).
//
// Files that disturb a service every other file shares (a RabbitMQ stop_app, a Redis restart) say so
// with a line starting with `// exclusive: <why>`: they run last, one at a time, with nothing beside them.
//
// One empty PGlite cluster is created per run and copied by the test helpers (test/support/pglite.ts),
// so each embedded database a test opens skips initdb but still runs the real migrations.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { constants, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const TIERS = ['unit', 'services', 'browser'];
/** Seconds each file took last time on this machine: the longest start first, so none runs alone at the end. */
const TIMES = join('test-output', 'test-times.json');

async function testFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])),
  );
  return nested.flat().sort();
}

async function describeFile(path) {
  const source = await readFile(path, 'utf8');
  const tier = path.startsWith(join('test', 'browser')) ? 'browser' : /\b(redisSkip|postgresSkip|rabbitSkip)\b/.test(source) ? 'services' : 'unit';
  const exclusive = /^\/\/ exclusive: /m.test(source);
  return { path, tier, exclusive, serial: !exclusive && (tier === 'browser' || /^\/\/ serial: /m.test(source)), contract: /hold-store\.contract/.test(source) };
}

function parseArgs(argv) {
  const tiers = [];
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== '--tier' && !arg.startsWith('--tier=')) {
      words.push(arg);
      continue;
    }
    const tier = arg === '--tier' ? argv[++i] : arg.slice('--tier='.length);
    if (!TIERS.includes(tier)) {
      console.error(`--tier must be one of ${TIERS.join(', ')}, not ${JSON.stringify(tier)}`);
      process.exit(2);
    }
    tiers.push(tier);
  }
  return { tiers, words };
}

/** The test processes running at the lower priority, raised back once the deadline-sensitive lane is done. */
const lowered = new Set();

function prioritise(pid, priority) {
  try {
    setPriority(pid, priority);
    return true;
  } catch {
    return false; // not permitted here: the lanes share the CPU evenly instead
  }
}

/** Runs node with `args`, its output collected (printed whole by the caller, so files never interleave). */
function node(args, { env = process.env, low = false } = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  if (low && prioritise(child.pid, constants.priority.PRIORITY_BELOW_NORMAL)) lowered.add(child.pid);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const started = Date.now();
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      lowered.delete(child.pid);
      resolve({ ok: code === 0, output: signal ? `${output}\nkilled by ${signal}\n` : output, seconds: (Date.now() - started) / 1000 });
    }),
  );
}

const { tiers, words } = parseArgs(process.argv.slice(2));
const all = await Promise.all((await testFiles('test')).map(describeFile));
const selected = all.filter((f) => (!tiers.length || tiers.includes(f.tier)) && (!words.length || words.some((w) => f.path.includes(w))));
if (!selected.length) {
  console.error(`no test file matches ${process.argv.slice(2).join(' ')}`);
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY) || 2);
const lastTimes = JSON.parse(await readFile(TIMES, 'utf8').catch(() => '{}'));
// Files without a time first (they may be long): those running the store contract (the longest),
// then the services tier; the rest by their last time.
const weight = (f) => lastTimes[f.path] ?? 1e6 * (1 + Number(f.contract) * 2 + Number(f.tier === 'services'));
const alone = selected.filter((f) => f.serial).sort((a, b) => weight(b) - weight(a));
const shared = selected.filter((f) => !f.serial && !f.exclusive).sort((a, b) => weight(b) - weight(a));
const exclusive = selected.filter((f) => f.exclusive);

const started = Date.now();
// The server's type check and the front-end's (web/tsconfig.json: the pages' JSDoc-typed modules).
const typechecks = tiers.length || words.length ? [] : [
  { name: 'tsc --noEmit', run: node(['node_modules/typescript/bin/tsc', '--noEmit'], { low: alone.length > 0 }) },
  { name: 'tsc -p web/tsconfig.json', run: node(['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], { low: alone.length > 0 }) },
];
const template = await mkdtemp(join(tmpdir(), 'boxoffice-pglite-template-'));
// Ctrl-C reaches the test processes too; the template goes with them.
process.once('SIGINT', () => {
  rmSync(template, { recursive: true, force: true });
  process.exit(130);
});
const reporter = `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`;
const results = [];
try {
  await (await PGlite.create({ dataDir: template })).close();
  const env = { ...process.env, BOXOFFICE_TEST_PGLITE_TEMPLATE: template };
  let deadlineLaneBusy = alone.length > 0;
  // Each file in a process of its own, run directly (not under `node --test`, whose extra process
  // would keep the lower priority after the deadline-sensitive lane is done).
  const runFile = async (file, low) => {
    const result = { file, ...(await node(['--import', 'tsx', reporter, file.path], { env, low })) };
    const how = file.exclusive ? ', exclusive' : file.serial ? ', alone' : '';
    console.log(`# ${file.path} (${file.tier}${how}): ${result.ok ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(1)} s`);
    process.stdout.write(result.output);
    results.push(result);
  };
  const lane = async (queue, low) => {
    for (let file = queue.shift(); file; file = queue.shift()) await runFile(file, low());
  };
  await Promise.all([
    // Once the deadline-sensitive files are done, their lane helps with the rest.
    lane(alone, () => false).then(() => {
      deadlineLaneBusy = false;
      for (const pid of lowered) prioritise(pid, constants.priority.PRIORITY_NORMAL);
      return lane(shared, () => false);
    }),
    ...Array.from({ length: concurrency }, () => lane(shared, () => deadlineLaneBusy)),
  ]);
  // With nothing else running: these stop or restart a service the other files use.
  await lane(exclusive, () => false);
} finally {
  await rm(template, { recursive: true, force: true });
}

let failed = results.filter((r) => !r.ok).map((r) => r.file.path);
for (const { name, run } of typechecks) {
  const { ok, output } = await run;
  process.stdout.write(output);
  if (!ok) failed = [name, ...failed];
}
const count = (name) => results.reduce((n, r) => n + Number(r.output.match(new RegExp(`^[#ℹ] ${name} (\\d+)$`, 'm'))?.[1] ?? 0), 0);
const byTier = TIERS.map((t) => `${selected.filter((f) => f.tier === t).length} ${t}`).join(', ');
console.log(`# ${selected.length} files (${byTier}): ${count('tests')} tests, ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped, ${count('cancelled')} cancelled, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failed.length) console.log(`# FAILED: ${failed.join(', ')}`);

await mkdir('test-output', { recursive: true });
await writeFile(TIMES, `${JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.map((r) => [r.file.path, Math.round(r.seconds * 10) / 10])) }, null, 2)}\n`);
process.exit(failed.length ? 1 : 0);
