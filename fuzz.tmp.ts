import { startTestServer } from './test/support/app.ts';
const s = await startTestServer({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin-password', LAB_ENABLED: 'true' }, { rateLimits: { exempt: ['127.0.0.1'] } });
const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'root@example.com', password: 'admin-password' } });
const admin = login.json().accessToken as string;
const guest = s.tokens.issue().token;
const routes: { method: string; url: string }[] = [];
s.app.printRoutes; // list
const list = (s.app as any).printRoutes({ commonPrefix: false, includeHooks: false });
// collect routes via onRoute is too late; parse the OpenAPI + known paths instead
const spec = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
for (const [path, ops] of Object.entries<any>(spec.paths)) for (const m of Object.keys(ops)) routes.push({ method: m.toUpperCase(), url: path.replace(/\{(\w+)\}/g, (_: string, p: string) => (p.toLowerCase().includes('showtime') ? 'inception-1' : p.toLowerCase().includes('movie') ? 'inception' : p.toLowerCase().includes('seat') ? 'A1' : p.toLowerCase().includes('screen') ? 'screen-1' : 'x1')) });
const bodies: (string | undefined)[] = [undefined, '', '[]', '{}', 'null', '1e999', '"s"', '{"a":1}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', JSON.stringify({ seats: Array(5000).fill('A1') }).slice(0, 16000), '{"seats":["A1"],"email":{"$gt":""},"password":["x"],"name":1e308,"rows":[{"label":"\\ud800"}],"reason":"' + 'é'.repeat(3000) + '"}', '{"toString":1,"hasOwnProperty":"x","valueOf":{}}'];
const auths = [undefined, `Bearer ${guest}`, `Bearer ${admin}`];
const cts = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'];
let n = 0; const bad: string[] = [];
for (const r of routes) for (const b of bodies) for (const a of auths) for (const ct of cts) {
  if (ct !== 'application/json' && a !== auths[2]) continue;
  const res = await s.app.inject({ method: r.method as any, url: r.url, headers: { ...(a && { authorization: a }), ...(b !== undefined && { 'content-type': ct }) }, ...(b !== undefined && { payload: b }) });
  n++;
  let okShape = true; try { const j = res.json(); okShape = typeof j === 'object'; } catch { okShape = res.statusCode < 400 || res.statusCode === 204; }
  if (res.statusCode >= 500 || (res.statusCode >= 400 && (!okShape || !res.json().code))) bad.push(`${res.statusCode} ${r.method} ${r.url} ct=${ct} auth=${a ? a.slice(7, 12) : '-'} body=${String(b).slice(0, 40)} -> ${res.body.slice(0, 200)}`);
}
console.log('requests', n, 'routes', routes.length);
console.log([...new Set(bad)].slice(0, 40).join('\n'));
await s.close();
