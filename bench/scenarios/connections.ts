/**
 * Scenario 5: N spectators connecting to one room (Socket.IO handshake, namespace connect,
 * room:join answered with the snapshot), 100 at a time: connections per second, and the
 * server's memory per idle spectator (RSS and heap, each read after two full collections,
 * before and after; fresh server processes each round). Baselines: plain ws connections to a
 * bare ws server; and (since 2026-12-08) the same light client against that bare server, which
 * answers the minimal Engine.IO / Socket.IO handshake and the room join with the hub's own join
 * answer (the room's snapshot, same bytes): the same client code on both sides, so the ratio
 * is the server's work alone.
 */
import { runRounds, usable, medianOf } from '../lib/rounds';
import { freshSqliteFile, startBaseline, startHubs } from '../lib/setup';
import { seedTournament } from '../lib/seed';
import { sleep } from '../lib/stats';
import type { Ctx } from '../lib/context';
import type { Child } from '../lib/ipc';

const CONNECT = { concurrency: 100, connectTimeoutMs: 20_000 };

async function measure(ctx: Ctx, server: Child, open: Record<string, unknown>, n: number) {
  const before = await server.call('stats', { gc: true });
  const opened = await ctx.loadgen.call('open', { ...open, count: n, ...CONNECT }, 600_000);
  if (opened.failed) throw new Error(`${opened.failed} of ${n} connections failed: ${opened.firstError}`);
  await sleep(1500); // let presence updates and handshake leftovers settle
  const after = await server.call('stats', { gc: true });
  await ctx.loadgen.call('closeGroup', { group: open.group });
  return {
    perSecond: opened.perSecond,
    rssPerConn: (after.rss - before.rss) / n,
    heapPerConn: (after.heapUsed - before.heapUsed) / n,
    collected: after.collected,
  };
}

export async function connections(ctx: Ctx) {
  const { opts, report, log } = ctx;
  const n = opts.connections;
  log(`\n# connections: ${n} spectators`);
  const file = freshSqliteFile();
  const seedHub = await startHubs(1, { sqliteFile: file });
  const seeded = await seedTournament(seedHub[0]!.url, { captains: 2, poolSize: 20, tag: 'conn' });
  // The hub's answer to a join of that room, for the bare server to give: the snapshot is the
  // tournament's detail (the same read as GET /api/tournaments/:id).
  const detail = await fetch(`${seedHub[0]!.url}/api/tournaments/${seeded.tournamentId}`)
    .then((r) => r.json() as Promise<{ seq: number }>)
    .finally(() => seedHub[0]!.child.stop());
  const joinAnswer = JSON.stringify({ ok: true, data: { room: seeded.room, seq: detail.seq, snapshot: detail }, serverTime: Date.now() });

  const rounds = await runRounds('connections', opts.rounds, async () => {
    const base = await startBaseline('ws');
    const b = await measure(ctx, base.child, { group: 'conn-base', kind: 'ws', urls: [base.url], track: false, eventName: '' }, n).finally(() =>
      base.child.stop(),
    );
    const sio = await startBaseline('ws');
    await sio.child.call('configure', { joinAnswer });
    const bs = await measure(
      ctx,
      sio.child,
      { group: 'conn-base-sio', kind: 'light', urls: [sio.url], rooms: [seeded.room], perRoom: n, track: false, eventName: 'event' },
      n,
    ).finally(() => sio.child.stop());
    const [hub] = await startHubs(1, { sqliteFile: file });
    const h = await measure(
      ctx,
      hub!.child,
      { group: 'conn-hub', kind: 'light', urls: [hub!.url], rooms: [seeded.room], perRoom: n, track: false, eventName: 'event' },
      n,
    ).finally(() => hub!.child.stop());
    return { base: b, baseJoin: bs, hub: h };
  });
  const { rounds: use, contended } = usable(rounds, opts.rounds.minClean);
  const scenario = `${n} spectators connecting`;
  const hubRate = medianOf(use, (v) => v.hub.perSecond);
  const baseRate = medianOf(use, (v) => v.base.perSecond);
  report.add({
    scenario,
    variant: '1 process',
    metric: 'connections/s (joined)',
    value: hubRate,
    unit: '/s',
    baseline: baseRate,
    ratio: hubRate / baseRate,
    contended,
  });
  const baseJoinRate = medianOf(use, (v) => v.baseJoin.perSecond);
  report.add({
    scenario,
    variant: '1 process',
    metric: 'joined/s vs bare server, same client and join answer',
    value: hubRate,
    unit: '/s',
    baseline: baseJoinRate,
    ratio: hubRate / baseJoinRate,
    contended,
  });
  const rss = medianOf(use, (v) => v.hub.rssPerConn) / 1024;
  report.add({
    scenario,
    variant: '1 process',
    metric: 'RSS per idle spectator',
    value: rss,
    unit: 'KB',
    baseline: medianOf(use, (v) => v.base.rssPerConn) / 1024,
    target: '≤ 25 KB',
    pass: rss <= 25,
    contended,
  });
  report.add({
    scenario,
    variant: '1 process',
    metric: 'heap per idle spectator',
    value: medianOf(use, (v) => v.hub.heapPerConn) / 1024,
    unit: 'KB',
    baseline: medianOf(use, (v) => v.base.heapPerConn) / 1024,
    contended,
  });
  report.details.connections = { n, rounds: rounds.map((r) => ({ clean: r.clean, otherShare: r.otherShare, ...r.value })) };
}
