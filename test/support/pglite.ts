// A PGlite folder that skips initdb: scripts/run-tests.mjs creates one empty database cluster per run
// (BOXOFFICE_TEST_PGLITE_TEMPLATE) and each test that opens the embedded database starts from a copy.
// Only initdb (~3 s of CPU per database) is skipped: the copy holds no table, so the code's own
// migrations still run on every database a test opens. Without the variable (a test file run on its
// own) nothing is copied and PGlite creates the folder itself.
import { cp } from 'node:fs/promises';

const TEMPLATE = process.env.BOXOFFICE_TEST_PGLITE_TEMPLATE;

/** Fills `dir` (which must not exist yet) with the run's empty PGlite cluster, if there is one. */
export async function seedPglite(dir: string): Promise<void> {
  if (TEMPLATE) await cp(TEMPLATE, dir, { recursive: true, errorOnExist: true, force: false });
}
