// Reviews over HTTP on the embedded default, with paid orders written by plain SQL: who may review,
// one review per person and movie (editable, also when sent twice at once), ratings on the movies,
// and an admin's hide (audit log; not counted; editing does not show it again).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ADMIN_ENV, auth, insertOrder, insertShowtime, loginAdmin, register } from './checkout-fixtures.ts';

describe('reviews', () => {
  let s: TestServer;
  let admin: string;
  before(async () => {
    s = await startTestServer(ADMIN_ENV);
    admin = await loginAdmin(s);
    // dune-1 (demo catalog) starts in a few hours; these started two hours ago.
    await insertShowtime(s.box.stores.db, 'dune-past', 'dune', 'screen-dune', 2);
    await insertShowtime(s.box.stores.db, 'arrival-past', 'arrival', 'screen-inception', 30);
  });
  after(async () => {
    await s.close();
  });

  const db = () => s.box.stores.db;
  const put = (movieId: string, payload: object, token?: string) =>
    s.app.inject({ method: 'PUT', url: `/api/v1/movies/${movieId}/review`, headers: token ? auth(token) : {}, payload });
  const list = (movieId: string, token?: string) => s.app.inject({ method: 'GET', url: `/api/v1/movies/${movieId}/reviews`, headers: token ? auth(token) : {} });
  const hide = (id: string, reason: unknown, token = admin) => s.app.inject({ method: 'POST', url: `/api/v1/admin/reviews/${id}/hide`, headers: auth(token), payload: { reason } });
  /** A user with a paid order for a showtime of dune that has started. */
  const viewer = async (email: string, showtimeId = 'dune-past') => {
    const user = await register(s, email);
    await insertOrder(db(), { showtimeId, owner: user.owner, seats: ['A1'] });
    return user;
  };

  it('refuses anyone without a paid ticket for a showtime of the movie that has started', async () => {
    assert.equal((await put('dune', { stars: 5 })).statusCode, 401);
    const guest = s.tokens.issue();
    await insertOrder(db(), { showtimeId: 'dune-past', owner: guest.owner, seats: ['B1'] });
    const cases: [string, string][] = [['a guest, even with a paid order', guest.token]];
    cases.push(['a user with no order', (await register(s, 'nobody@example.com')).token]);
    cases.push(['a user whose showtime has not started', (await viewer('early@example.com', 'dune-1')).token]);
    const refunded = await register(s, 'refunded@example.com');
    await insertOrder(db(), { showtimeId: 'dune-past', owner: refunded.owner, seats: ['B2'], state: 'refunded' });
    cases.push(['a user whose order was refunded', refunded.token]);
    const other = await viewer('other-movie@example.com', 'arrival-past');
    cases.push(['a user who saw another movie', other.token]);
    for (const [who, token] of cases) {
      const res = await put('dune', { stars: 4, text: 'hm' }, token);
      assert.equal(res.statusCode, 403, `${who}: ${res.body}`);
      assert.equal(res.json().code, 'REVIEW_NOT_ALLOWED');
      assert.equal(res.json().details.movieId, 'dune');
    }
    const rows = await db().query<{ n: number }>("SELECT count(*)::int AS n FROM reviews WHERE movie_id = 'dune'");
    assert.equal(rows[0]!.n, 0);
    const unknown = await put('no-such-movie', { stars: 4 }, other.token);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'MOVIE_NOT_FOUND');
    assert.equal((await list('no-such-movie')).json().code, 'MOVIE_NOT_FOUND');
  });

  it('keeps one review per person and movie: a second PUT edits it', async () => {
    const ann = await viewer('ann@example.com', 'arrival-past');
    const first = await put('arrival', { stars: 3, text: '  Slow, then wonderful.  ' }, ann.token);
    assert.equal(first.statusCode, 201, first.body);
    const review = first.json().review;
    assert.equal(review.text, 'Slow, then wonderful.');
    assert.deepEqual(first.json().rating, { average: 3, count: 1 });
    const edit = await put('arrival', { stars: 5, text: 'Wonderful.' }, ann.token);
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal(edit.json().review.id, review.id);
    assert.equal(edit.json().review.createdAt, review.createdAt);
    assert.deepEqual(edit.json().rating, { average: 5, count: 1 });
    const stars = await put('arrival', { stars: 4 }, ann.token);
    assert.equal(stars.json().review.text, '', 'text may be left out');

    const page = (await list('arrival', ann.token)).json();
    assert.equal(page.reviews.length, 1);
    assert.equal(page.reviews[0].mine, true);
    assert.equal(page.mine.id, review.id);
    assert.equal('userId' in page.reviews[0], false, "a review never names its author's account");
    const anonymous = (await list('arrival')).json();
    assert.equal(anonymous.reviews[0].mine, false);
    assert.equal(anonymous.mine, null);
  });

  it('writes one review when the same person sends their first review twice at once', async () => {
    const bob = await viewer('bob@example.com');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => put('dune', { stars: (i % 5) + 1 }, bob.token)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    const rows = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM reviews WHERE user_id = $1', [bob.userId]);
    assert.equal(rows[0]!.n, 1);
  });

  it('shows ratings on the movies; a hidden review is audited, not shown, not counted, and stays hidden when edited', async () => {
    const [cat, dan] = [await viewer('cat@example.com'), await viewer('dan@example.com')];
    await db().query("DELETE FROM reviews WHERE movie_id = 'dune'");
    assert.equal((await put('dune', { stars: 5, text: 'Epic.' }, cat.token)).statusCode, 201);
    const rude = (await put('dune', { stars: 2, text: 'something rude' }, dan.token)).json().review;
    const rating = async (movieId: string) => {
      const movies = (await s.app.inject({ method: 'GET', url: '/api/v1/movies' })).json().movies as { id: string; rating: unknown }[];
      const one = (await s.app.inject({ method: 'GET', url: `/api/v1/movies/${movieId}` })).json().movie.rating;
      assert.deepEqual(movies.find((m) => m.id === movieId)!.rating, one, 'the list and the movie agree');
      return one;
    };
    assert.deepEqual(await rating('dune'), { average: 3.5, count: 2 });
    assert.deepEqual(await rating('inception'), { average: null, count: 0 });

    assert.equal((await hide(rude.id, 'abuse', cat.token)).statusCode, 403);
    const missing = await hide('rev_nosuchreview', 'abuse');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'REVIEW_NOT_FOUND');
    const hidden = await hide(rude.id, '  insults the cast  ');
    assert.equal(hidden.statusCode, 200, hidden.body);
    assert.equal(hidden.json().review.hidden, true);
    assert.equal(hidden.json().audit.action, 'review.hide');
    assert.equal(hidden.json().audit.target, rude.id);
    assert.equal(hidden.json().audit.details.reason, 'insults the cast');
    assert.match(hidden.json().audit.actor, /root@example.com/);
    const log = (await s.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: auth(admin) })).json().entries as { action: string; target: string }[];
    assert.ok(log.some((e) => e.action === 'review.hide' && e.target === rude.id));

    assert.deepEqual(await rating('dune'), { average: 5, count: 1 });
    const page = (await list('dune', dan.token)).json();
    assert.deepEqual(page.reviews.map((r: { id: string }) => r.id), [(await list('dune')).json().reviews[0].id]);
    assert.equal(page.reviews.some((r: { id: string }) => r.id === rude.id), false);
    assert.equal(page.mine.hidden, true, 'its author still sees it, marked hidden');
    const edited = await put('dune', { stars: 3, text: 'something polite' }, dan.token);
    assert.equal(edited.json().review.hidden, true);
    assert.deepEqual(await rating('dune'), { average: 5, count: 1 });
  });
});
