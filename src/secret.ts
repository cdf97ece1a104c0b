import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';

/** The deployment's signing key: TOKEN_SECRET, or one generated once and kept in DATA_DIR/token-secret. */
export async function deploymentSecret(config: Pick<Config, 'tokenSecret' | 'dataDir'>): Promise<Buffer> {
  if (config.tokenSecret) return Buffer.from(config.tokenSecret);
  const file = join(config.dataDir, 'token-secret');
  try {
    return Buffer.from(await readFile(file, 'utf8'), 'base64url');
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32);
    await writeFile(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(() => {});
    return Buffer.from(await readFile(file, 'utf8'), 'base64url');
  }
}
