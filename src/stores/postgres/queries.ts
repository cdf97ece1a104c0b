import { readFileSync } from 'node:fs';

const QUERIES = new URL('./queries/', import.meta.url);
const loaded = new Map<string, string>();

/**
 * The text of queries/<name>.sql, read once per process. SQL that does real work lives in those
 * files, each opening with what it takes, what it returns and which locks it holds (STYLE habit 11).
 */
export function query(name: string): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`${name}.sql`, QUERIES), 'utf8');
    loaded.set(name, text);
  }
  return text;
}
