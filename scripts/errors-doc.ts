// Writes docs/errors.md from the error registry (src/error-groups.ts). `--check` only compares.
import { readFile, writeFile } from 'node:fs/promises';
import { renderErrorsDoc } from '../src/error-groups.ts';

const file = new URL('../docs/errors.md', import.meta.url);
const doc = renderErrorsDoc();
if (process.argv.includes('--check')) {
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current !== doc) {
    console.error('docs/errors.md differs from the error registry: run npm run docs:errors');
    process.exit(1);
  }
} else {
  await writeFile(file, doc);
  console.log('wrote docs/errors.md');
}
