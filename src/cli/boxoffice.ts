import { parseArgs } from 'node:util';
import { formatStress, LIMITS, stress } from './stress.ts';

const HELP = `usage: boxoffice stress [options]

Simulated buyers race for seats of one showtime of a running Boxoffice, then the final seat map is
checked: no seat may have two bookings.

  --url URL             the server (default http://127.0.0.1:8080); loopback only unless --i-own-the-target
  --showtime ID         showtime to buy (default arrival-1)
  --buyers N            simulated buyers at once (default 200, at most ${LIMITS.buyers})
  --seats MODE          hot (everyone wants one seat), random (1-3 random seats), row (two neighbours)
  --seat ID             the hot seat (default: one in the middle)
  --row LABEL           the row for --seats row (default: the middle row)
  --duration SECONDS    how long (default 10, at most ${LIMITS.durationMs / 1000})
  --i-own-the-target    allow a target that is not this machine; load only servers you own
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'stress') {
    process.stdout.write(HELP);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      showtime: { type: 'string', default: 'arrival-1' },
      buyers: { type: 'string', default: '200' },
      seats: { type: 'string', default: 'hot' },
      seat: { type: 'string' },
      row: { type: 'string' },
      duration: { type: 'string', default: '10' },
      'i-own-the-target': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!['hot', 'random', 'row'].includes(values.seats)) throw new Error(`--seats must be hot, random or row, not ${values.seats}`);
  const options = {
    url: values.url,
    showtime: values.showtime,
    buyers: Number(values.buyers),
    target: values.seats as 'hot' | 'random' | 'row',
    ...(values.seat && { seat: values.seat }),
    ...(values.row && { row: values.row }),
    durationMs: Number(values.duration) * 1000,
    ownTarget: values['i-own-the-target'],
  };
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const result = await stress(options, (line, done) => {
    if (tty) process.stderr.write(`\r${line}${done ? '\n' : ''}`);
    else if (done || Date.now() - lastLine >= 1_000) {
      lastLine = Date.now();
      process.stderr.write(`${line}\n`);
    }
  });
  process.stdout.write(`${formatStress(options, result)}\n`);
  return result.problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`boxoffice: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
