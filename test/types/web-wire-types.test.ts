// The front-end's wire types (web/static/types.d.ts, checked with the pages' JSDoc) are written by
// hand; this file fails the type check (npm test runs it) when the server's own types stop fitting them.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Static } from 'typebox';
import type { AttemptResult as ServerAttempt, LabModeInfo as ServerModeInfo, LabState as ServerLabState, StressSummary as ServerStress } from '../../src/lab/lab-service.ts';
import type { AuditSchema } from '../../src/http/routes/admin.ts';
import type { LayoutSchema, MovieSchema } from '../../src/http/schemas.ts';
import type { AttemptResult, AuditEntry, LabModeInfo, LabState, Layout, Movie, StressSummary } from '../../web/static/types.d.ts';

/** Compiles only when what the server sends (`Sent`) fits what the page reads (`Read`). */
type Fits<Sent extends Read, Read> = Sent;

export type Checked = [
  Fits<Static<typeof MovieSchema>, Movie>,
  Fits<Static<typeof LayoutSchema>, Layout>,
  Fits<Static<typeof AuditSchema>, AuditEntry>,
  Fits<ServerLabState, LabState>,
  Fits<ServerAttempt, AttemptResult>,
  Fits<ServerModeInfo, LabModeInfo>,
  Fits<ServerStress, StressSummary>,
];

it('is checked by the type check (tsc --noEmit), not at run time', () => assert.ok(true));
