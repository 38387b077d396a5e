import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, type Api } from '../../shared/api/contract';
import { buildPath, type Endpoint } from '../../shared/api/endpoint';
import { SocketCommands, type SocketCommandName } from '../../shared/realtime';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import { socketJar } from '../support/socket';
import { commandTable, socketCommandTable } from '../../server/commands/table';
import { type Client, fingerprint, makeWorld, startPermissionHub, type World } from './fixtures';
import { EXEMPT, type ForbiddenRole, isMutation, type Prepared, REST, type Rule, SOCKET, socketPayload } from './table';

/**
 * RT3 for every command of the command table (server/commands/table.ts), over REST and, for
 * those clients send live, over the socket, with what it needs made fresh through the REST API and a valid input, anonymous is
 * answered unauthenticated, a member with no role in it (and the other roles its rule names)
 * forbidden, and none of them changes anything the hub stores; the allowed role succeeds.
 * The enumeration test fails, naming them, for a command the table (table.ts) does not cover.
 */

const mutations = (Object.keys(api) as (keyof Api)[]).filter(isMutation);
const socketCommands = Object.keys(SocketCommands) as SocketCommandName[];

type Case = { transport: 'REST'; key: keyof Api; rule: Rule } | { transport: 'socket'; key: SocketCommandName; rule: Rule };

const restCases: [string, Case][] = mutations
  .filter((key) => REST[key as keyof typeof REST])
  .map((key) => {
    const e = api[key];
    return [`REST ${key} (${e.method} ${e.path}, access ${e.access})`, { transport: 'REST', key, rule: REST[key as keyof typeof REST]! }];
  });
const socketCases: [string, Case][] = socketCommands
  .filter((name) => SOCKET[name] && REST[SOCKET[name].rest])
  .map((name) => [`socket ${name} (as ${SOCKET[name]!.rest})`, { transport: 'socket', key: name, rule: REST[SOCKET[name]!.rest]! }]);

describe('RT3 permission matrix: every command refuses anonymous and members, changes nothing, and lets its role through', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  let w: World;
  const sockets = socketJar();

  beforeAll(async () => {
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startPermissionHub(steam, od);
    w = await makeWorld(t, steam, od);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
  });

  it('RT3 every command of the command table has permission tests (anonymous, member, its role), and every mutation is a command or exempt', () => {
    const keyOf = (e: Endpoint) => (Object.keys(api) as (keyof Api)[]).find((key) => api[key] === e);
    const untested = commandTable.filter((def) => !REST[keyOf(def.rest) as keyof typeof REST]).map((def) => def.name);
    const untestedSocket = commandTable.filter((def) => def.socket && !SOCKET[def.name as SocketCommandName]).map((def) => def.name);
    expect({ untested, untestedSocket }, 'commands without permission tests: add them to tests/commands/table.ts').toEqual({
      untested: [],
      untestedSocket: [],
    });
    // The table is the only way in: every mutation of the contract is one of its commands, or exempt.
    const commandEndpoints = new Set(commandTable.map((def) => keyOf(def.rest)));
    const notCommands = mutations.filter((key) => !commandEndpoints.has(key) && !EXEMPT[key as keyof typeof EXEMPT]);
    const notInTable = socketCommands.filter((name) => !socketCommandTable.has(name));
    expect({ notCommands, notInTable }).toEqual({ notCommands: [], notInTable: [] });
    // What the API documents as each endpoint's access is what the table checks.
    const mismatched = commandTable
      .filter((def) => def.allow.access !== def.rest.access)
      .map((def) => `${def.name}: ${def.allow.access} vs ${def.rest.access}`);
    expect(mismatched).toEqual([]);
    // No stale entries: each names a mutation of the contract, and a socket command's twin has an entry.
    const stale = [...Object.keys(REST), ...Object.keys(EXEMPT)].filter((key) => !mutations.includes(key as keyof Api));
    const twinless = socketCommands.filter((name) => SOCKET[name] && !REST[SOCKET[name].rest]);
    expect({ stale, twinless }).toEqual({ stale: [], twinless: [] });
    expect(
      Object.keys(REST).filter((key) => EXEMPT[key as keyof typeof EXEMPT]),
      'both covered and exempt',
    ).toEqual([]);
  });

  /**
   * Sends the command as `client` (null: anonymous). The answer: the HTTP status, or for a socket
   * 'ok' / 'refused' from its ack; the error code; what to show when it is not the expected one.
   */
  async function send(c: Case, p: Prepared, client: HttpClient | null): Promise<{ status: number | 'ok' | 'refused'; code?: string; detail: string }> {
    if (c.transport === 'REST') {
      const e = api[c.key];
      const res = await (client ?? t.client()).request(e.method, buildPath(e.path, p.params), { body: p.body });
      return { status: res.status, code: res.body?.error?.code, detail: `${res.status} ${res.text.slice(0, 300)}` };
    }
    const socket = await sockets.open(t.url, client ? { cookie: client.cookieHeader() } : {});
    const ack = await socket.raw(c.key, socketPayload(c.key, p));
    return ack.ok ? { status: 'ok', detail: 'ack ok' } : { status: 'refused', code: ack.error.code, detail: JSON.stringify(ack) };
  }

  /** Refused with `code` (and its HTTP status over REST), and the hub's stored state is as before. */
  async function expectRefused(c: Case, p: Prepared, client: HttpClient | null, code: 'unauthenticated' | 'forbidden') {
    const before = await fingerprint(t);
    const answer = await send(c, p, client);
    const status = c.transport === 'socket' ? 'refused' : code === 'unauthenticated' ? 401 : 403;
    expect({ status: answer.status, code: answer.code }, answer.detail).toEqual({ status, code });
    expect(await fingerprint(t), 'a refused command changed what the hub stores').toEqual(before);
  }

  const roleClient = (p: Prepared, role: ForbiddenRole): Client => {
    const fromFixture = p.roles?.[role];
    if (fromFixture) return fromFixture;
    switch (role) {
      case 'staff of another tournament':
        return w.otherStaff;
      case 'tournament staff':
        return w.tstaff;
      case 'site staff':
        return w.boss;
      default:
        throw new Error(`the fixture gives no client for "${role}"`);
    }
  };

  describe.each([...restCases, ...socketCases])('%s', (_title, c) => {
    let p: Prepared;
    beforeAll(async () => {
      p = await c.rule.setup(w);
    });

    it('RT3 anonymous is answered unauthenticated and changes nothing', async () => {
      await expectRefused(c, p, null, 'unauthenticated');
    });

    if (!c.rule.memberAllowed) {
      it('RT3 a member with no role in it is answered forbidden and changes nothing', async () => {
        await expectRefused(c, p, w.member, 'forbidden');
      });
    }

    for (const role of c.rule.alsoForbidden ?? []) {
      it(`RT3 ${role} is answered forbidden and changes nothing`, async () => {
        await expectRefused(c, p, roleClient(p, role), 'forbidden');
      });
    }

    it(`RT3 ${c.rule.allowed} may run it with the same input (the refusals are about who sends it)`, async () => {
      const before = await fingerprint(t);
      const answer = await send(c, p, p.allowed);
      const expected = c.transport === 'socket' ? 'ok' : (c.rule.status ?? (api[c.key] as Endpoint).status ?? 200);
      expect(answer.status, answer.detail).toBe(expected);
      // The same check that saw nothing change for the refused ones sees this command's change.
      expect(await fingerprint(t)).not.toEqual(before);
    });
  });
});
