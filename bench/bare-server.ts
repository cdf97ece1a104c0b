// The HTTP ceiling: a bare Fastify route that answers a hold-sized JSON body and does nothing else.
import Fastify from 'fastify';

const body = {
  id: 'bench-0.AAAAAAAAAAAAAAAAAAAAAAAA',
  showtimeId: 'bench-0',
  seats: ['A1'],
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_000_600_000,
  state: 'held',
};
const app = Fastify({ logger: false });
app.post('/hold', async (_request, reply) => reply.status(201).send(body));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${(app.server.address() as { port: number }).port}`);
