/**
 * Scenario 7 (`--only=draftpick`): a real player-draft pick to N spectators of the draft room
 * (issue 20). A draft of 8 teams with a pool of 40 is running; the captain on turn picks over
 * the socket (`draft.pick`: validate, authorise, lock, rules, pick row, deadline, event, cache
 * invalidation, broadcast) and the time runs until the last spectator has the pick's event.
 * Between samples, unmeasured, staff undo it (`draft.undo`), so every sample is the same first
 * pick of the same draft. Baseline: the bare ws server sending the pick's own frame (same
 * bytes, next seq) to the same N light clients. Also reported: the bytes each spectator gets per
 * pick (the event frame), against what the whole draft view would weigh.
 */
import { median } from '../lib/stats';
import { lastSpectatorFigures, reportLastSpectator } from '../lib/last-spectator';
import { medianOf, runRounds, usable } from '../lib/rounds';
import { freshSqliteFile, startBaseline, startHubs, startRedis, type HubHandle } from '../lib/setup';
import { login, seedTournament } from '../lib/seed';
import { variantsFor, type Ctx } from '../lib/context';

const CONNECT = { concurrency: 100, connectTimeoutMs: 15_000 };
const BLOCK = 5;
const TEAMS = 8;
const POOL = 40;

/** Opens the draft of the seeded tournament (snake, 5 a side, a pick timer of an hour: armed on every pick, never due while samples run) and starts it. */
async function startDraft(url: string, staffUsername: string, tournamentId: number) {
  const { client: staff } = await login(url, staffUsername, 'staff');
  const base = `/api/tournaments/${tournamentId}/draft`;
  for (const [what, res] of [
    ['configure', () => staff.patch(base, { style: 'snake', teamSize: 5, pickSeconds: 3600 })],
    ['open', () => staff.post(`${base}/open`, {})],
    ['start', () => staff.post(`${base}/start`, {})],
  ] as const) {
    const r = await res();
    if (r.status >= 300) throw new Error(`draft ${what}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const view = (await staff.get(base)).body as { turn: { teamId: number; pickNumber: number }; pool: { user: { id: number } }[] };
  return view;
}

export async function draftPick(ctx: Ctx) {
  const { opts, loadgen, report, log } = ctx;
  for (const n of opts.ns) {
    log(`\n# a player-draft room, ${n} spectators`);
    const base = await startBaseline('ws');
    const opened = await loadgen.call(
      'open',
      { group: 'base', kind: 'light', urls: [base.url], count: n, track: true, eventName: 'event', ...CONNECT },
      300_000,
    );
    if (opened.failed) throw new Error(`baseline: ${opened.failed} of ${n} clients failed to connect: ${opened.firstError}`);
    await loadgen.call('setupTrigger', { name: 'base', kind: 'wsTrigger', url: base.url, ackTimeoutMs: 10_000 });

    for (const variant of variantsFor(opts)) {
      log(`## ${variant.name}`);
      const redis = variant.processes > 1 ? await startRedis() : undefined;
      const hubs: HubHandle[] = await startHubs(variant.processes, { sqliteFile: freshSqliteFile(), redisUrl: redis?.url });
      try {
        const tag = `draft${n}_${variant.processes}`;
        const seeded = await seedTournament(hubs[0]!.url, { captains: TEAMS, poolSize: POOL, tag });
        const { tournamentId } = seeded;
        const room = `draft:${tournamentId}`;
        const draft = await startDraft(hubs[0]!.url, `bench_staff_${tag}`, tournamentId);
        const onTurn = seeded.captains.find((c) => c.teamId === draft.turn.teamId)!;
        const player = draft.pool[0]!.user.id;
        const spectators = await loadgen.call(
          'open',
          {
            group: 'spectators',
            kind: 'light',
            urls: hubs.map((h) => h.url),
            count: n,
            rooms: [room],
            perRoom: n,
            track: true,
            eventName: 'event',
            ...CONNECT,
          },
          300_000,
        );
        if (spectators.failed) throw new Error(`${spectators.failed} of ${n} spectators failed to join: ${spectators.firstError}`);
        log(`  ${n} spectators joined the draft room in ${(spectators.ms / 1000).toFixed(1)} s`);
        const joinBytes: number = await loadgen.call('joinBytes');
        // The captain on turn picks (the measured command); staff undo it between samples.
        const command = (name: string, event: string, cookie: string, payload: unknown) =>
          loadgen.call('setupTrigger', {
            name,
            kind: 'socketCommand',
            url: hubs[0]!.url,
            cookie,
            event,
            payloads: [JSON.stringify(payload)],
            ackTimeoutMs: 15_000,
          });
        await command('hub', 'draft.pick', onTurn.cookie, { tournamentId, userId: player, pickNumber: draft.turn.pickNumber });
        await command('undo', 'draft.undo', seeded.staffCookie, { tournamentId });

        const timeoutMs = 30_000;
        const latency = (trigger: string, r: string, samples: number, after?: string) =>
          loadgen.call('latency', { trigger, room: r, samples, gapMs: 20, expected: n, timeoutMs, after }, 300_000);
        await latency('hub', room, 1);
        const frameBytes: number = await loadgen.call('frameBytes');
        const sample = await loadgen.call('sampleEvent');
        await latency('undo', room, 1);
        await latency('hub', room, 4, 'undo');
        await base.child.call('configure', { size: frameBytes, sample, joinBytes });
        await latency('base', 'bench', 5);
        log(`  pick event frame: ${frameBytes} bytes to each spectator (join answer ${joinBytes} bytes, the whole draft)`);

        const samples = Math.max(5, Math.round(opts.samples * (n > 2000 ? 0.6 : 1)));
        const rounds = await runRounds(`draft pick N=${n} ${variant.name}`, opts.rounds, async () => {
          const hub: { lastMs: number; ackMs: number }[] = [];
          const bare: { lastMs: number }[] = [];
          // Blocks of BLOCK samples, the bare side and the hub taking turns at going first.
          for (let block = 0, done = 0; done < samples; block++, done += BLOCK) {
            const count = Math.min(BLOCK, samples - done);
            const order = block % 2 === 0 ? ['base', 'hub'] : ['hub', 'base'];
            for (const side of order) {
              const r = side === 'base' ? await latency('base', 'bench', count) : await latency('hub', room, count, 'undo');
              (side === 'base' ? bare : hub).push(...r.samples);
            }
          }
          return { hub: hub.map((s) => s.lastMs), ack: hub.map((s) => s.ackMs), base: bare.map((s) => s.lastMs) };
        });
        const { rounds: use, contended } = usable(rounds, opts.rounds.minClean);
        const figures = lastSpectatorFigures(use);
        const scenario = `draft pick → all, N=${n}`;
        reportLastSpectator(report, { scenario, variant: variant.name, target: 1.3, contended }, figures);
        report.add({ scenario, variant: variant.name, metric: 'pick acknowledged p50', value: medianOf(use, (v) => median(v.ack)), unit: 'ms', contended });
        report.add({
          scenario,
          variant: variant.name,
          metric: 'bytes per spectator per pick',
          value: frameBytes,
          unit: 'B',
          baseline: joinBytes,
          ratio: frameBytes / joinBytes,
          contended,
        });
        report.details[`draftpick_${n}_${variant.processes}p`] = {
          frameBytes,
          joinBytes,
          samplesPerRound: samples,
          rounds: rounds.map((r) => ({ clean: r.clean, otherShare: r.otherShare, hubP50: median(r.value.hub), baseP50: median(r.value.base) })),
        };
        // Every spectator got every event once, in order: none lost, none twice.
        const integrity = await loadgen.call('integrity', { group: 'spectators' });
        report.add({ scenario, variant: variant.name, metric: 'events lost / duplicated', value: integrity.gaps + integrity.dups, unit: '', contended });
        report.note(
          `draft pick N=${n} ${variant.name}: ${integrity.received} events received by ${integrity.members} spectators, ${integrity.gaps} lost, ${integrity.dups} twice`,
        );
      } finally {
        await loadgen.call('closeGroup', { group: 'spectators' });
        await Promise.all(hubs.map((h) => h.child.stop()));
        redis?.stop();
      }
    }
    await loadgen.call('closeGroup', { group: 'base' });
    await base.child.stop();
  }
}
