import type { FastifyPluginAsync } from 'fastify';

/**
 * An optional feature (the Concurrency Lab; later the waiting room, the payment worker) as one unit:
 * its own folder with its routes, socket messages, migrations and store adapters. The composition
 * root creates it in one line when it is enabled; app.ts serves every plugin's routes in one line.
 */
export interface BoxofficePlugin {
  readonly name: string;
  /** Its pages, API and socket routes; registered after the app's own plugins (websocket, static, rate limits). */
  readonly routes: FastifyPluginAsync;
  /** Closes whatever it opened. */
  close(): Promise<void>;
}
