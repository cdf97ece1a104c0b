import { readFileSync } from 'node:fs';

const loaded = new Map<string, string>();

/**
 * A reader of `<folder>/<name>.sql`, each file read once per process. SQL that does real work lives in
 * such files, each opening with what it takes, what it returns and which locks it holds (STYLE habit 11).
 */
export function queriesIn(folder: URL): (name: string) => string {
  return (name) => {
    const url = new URL(`${name}.sql`, folder).href;
    let text = loaded.get(url);
    if (text === undefined) {
      text = readFileSync(new URL(url), 'utf8');
      loaded.set(url, text);
    }
    return text;
  };
}

/** The text of this folder's queries/<name>.sql. */
export const query = queriesIn(new URL('./queries/', import.meta.url));
