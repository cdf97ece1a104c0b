#!/usr/bin/env node
// The boxoffice command (`boxoffice stress ...`): runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/boxoffice.ts');
