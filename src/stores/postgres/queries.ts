import { readFileSync } from 'node:fs';

/**
 * The text of `<folder>/<name>.sql`, read once per process. SQL that does real work lives in such
 * files, each opening with what it takes, what it returns and which locks it holds (STYLE habit 11).
 */
export function sqlFolder(folder: URL): (name: string) => string {
  const loaded = new Map<string, string>();
  return (name) => {
    let text = loaded.get(name);
    if (text === undefined) {
      text = readFileSync(new URL(`${name}.sql`, folder), 'utf8');
      loaded.set(name, text);
    }
    return text;
  };
}

/** The core's queries (queries/<name>.sql). */
export const query = sqlFolder(new URL('./queries/', import.meta.url));
