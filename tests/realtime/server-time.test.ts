import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/deadlines/clock';
import type { TestHub } from '../support/hub';
import { connectSocket } from '../support/socket';
import { setupHeroDraft, type Client } from '../herodraft/fixtures';
import { startHub } from '../support/hub';
import type { HttpClient } from '../support/http';

/** The hub's clock, set far from the machine's so an answer stamped with the wrong one shows. */
const HUB_NOW = '2031-02-03T04:05:06.789Z';

describe('RT15 command answers carry the hub clock', () => {
  let t: TestHub;
  let staff: HttpClient;
  beforeAll(async () => {
    t = await startHub({ clock: new ManualClock(Date.parse(HUB_NOW)) });
    staff = await t.login('clockstaff', 'staff');
  });
  afterAll(() => t?.close());

  it('RT15 REST command answers of the player draft and the hero draft have serverTime', async () => {
    const s = await setupHeroDraft(t, staff);
    const configured = await staff.patch(`/api/tournaments/${s.tournamentId}/draft`, { style: 'snake' });
    expect(configured.status, configured.text).toBe(200);
    expect(configured.body.serverTime).toBe(HUB_NOW);
    const ready = await s.captains[0].post(`${s.base}/ready`, { ready: true });
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body.serverTime).toBe(HUB_NOW);
    // The OpenAPI document says so (answers are checked against it outside production, too).
    const doc = (await t.client().get('/api/openapi.json')).body;
    const answer = doc.paths['/api/herodrafts/{heroDraftId}/ready'].post.responses['200'].content['application/json'].schema;
    expect(answer.$ref).toMatch(/\/HeroDraftRead$/);
  });

  it('RT15 socket acks have serverTime, failures too', async () => {
    const s = await setupHeroDraft(t, staff);
    const captain = await connectSocket(t.url, { cookie: (s.captains[1] as Client).cookieHeader() });
    const anonymous = await connectSocket(t.url);
    try {
      const ok = await captain.command('herodraft.ready', { heroDraftId: s.id, ready: true });
      expect(ok).toMatchObject({ ok: true, serverTime: HUB_NOW });
      const refused = await anonymous.command('herodraft.ready', { heroDraftId: s.id, ready: true });
      expect(refused).toMatchObject({ ok: false, error: { code: 'unauthenticated' }, serverTime: HUB_NOW });
    } finally {
      captain.close();
      anonymous.close();
    }
  });
});
