// axe-core (the devDependency) run inside a Playwright page. The script goes in through page.evaluate,
// which a page's Content-Security-Policy does not govern, so the strict CSP stays as it is served.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** The WCAG 2.0, 2.1 and 2.2 levels A and AA rules: what the issue asks the pages to pass. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const NODES_SHOWN = 5;

let source: Promise<string> | undefined;
function axeSource(): Promise<string> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/** One rule broken, with the nodes that break it: enough for an assertion message to say what to fix. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  /** How many nodes break the rule; `nodes` lists the first few (a whole seat map would drown the message). */
  count: number;
  /** An offending node: its CSS selector and axe's summary of what is wrong with it. */
  nodes: { target: string; summary: string }[];
}

/**
 * The WCAG 2.x A/AA violations on the page as it is now. `disable` turns rules off, each with the reason
 * (the test names and justifies every rule it disables). Assert on the result with
 * `assert.deepEqual(await axeViolations(page), [])`: a failure prints each rule, its help text and the nodes.
 */
export async function axeViolations(page: Page, options: { disable?: Record<string, string> } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await axeSource());
  const run: RunOptions = {
    runOnly: { type: 'tag', values: WCAG_AA },
    rules: Object.fromEntries(Object.keys(options.disable ?? {}).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const results = await page.evaluate(
    (opts) => (window as unknown as { axe: { run(context: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, opts),
    run,
  );
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    helpUrl: v.helpUrl,
    count: v.nodes.length,
    nodes: v.nodes.slice(0, NODES_SHOWN).map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
  }));
}
