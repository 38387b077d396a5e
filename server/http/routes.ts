import express from 'express';
import type passport from 'passport';
import { api } from '../../shared/api/contract';
import type { HubServices } from '../services';
import { mount, mountCommand } from './route';
import { commandTable } from '../commands/table';
import { buildOpenApi } from './openapi';
import { mountAuthRoutes } from '../auth/auth.routes';
import type { Realtime } from '../realtime/realtime';
import { mountUserRoutes } from '../users/users.routes';
import { mountLeagueRoutes } from '../leagues/leagues.routes';
import { mountTournamentRoutes } from '../tournaments/tournaments.routes';
import { mountPoolRoutes } from '../pool/pool.routes';
import { mountTeamRoutes } from '../teams/teams.routes';
import { mountHeroDraftRoutes } from '../herodraft/herodraft.routes';
import { mountBracketRoutes } from '../brackets/brackets.routes';
import { mountDraftRoutes } from '../draft/draft.routes';
import { mountMatchRoutes } from '../matches/matches.routes';
import { mountSignupRoutes } from '../signups/signups.routes';
import { mountDiscordRoutes } from '../discord/interactions.routes';

/**
 * Every HTTP route, all on the app's own router (no prefixed sub-routers), so the OpenAPI
 * test can list them and compare with the contract.
 */
export function mountRoutes(
  app: express.Express,
  hub: HubServices,
  passportInstance: passport.PassportStatic,
  realtime: Pick<Realtime, 'status' | 'endSession'>,
) {
  const router: express.IRouter = app;
  mount(router, hub, api.healthz, async () => ({ status: 'ok' as const, checks: { process: 'up' } }));
  mount(router, hub, api.readyz, async ({ res }) => {
    const checks: Record<string, string> = {};
    try {
      await hub.db.raw('select 1');
      checks.database = 'ok';
    } catch {
      checks.database = 'down';
    }
    const realtimeStatus = realtime.status();
    if (hub.redis) checks.redis = hub.redis.status === 'ready' && realtimeStatus !== 'degraded' ? 'ok' : 'down';
    if (realtimeStatus === 'draining') checks.realtime = 'draining';
    // Without Redis the hub still serves (fan-out limited to this process): degraded, still 200
    // so a load balancer keeps it. No database, or shutting down: 503.
    const down = checks.database === 'down' || realtimeStatus === 'draining';
    const degraded = checks.redis === 'down';
    if (down) res.status(503);
    return { status: down ? ('down' as const) : degraded ? ('degraded' as const) : ('ok' as const), checks };
  });
  // Prometheus text format. Scraped on the hubs' own addresses; the nginx in deploy/ refuses it.
  mount(router, hub, api.metrics, async ({ res }) => {
    const text = hub.metrics ? await hub.metrics.render() : '';
    res.type(hub.metrics?.registry.contentType ?? 'text/plain').send(text);
  });
  const document = buildOpenApi(process.env.npm_package_version ?? '0.1.0');
  mount(router, hub, api.openapi, async () => document);

  mountAuthRoutes(router, hub, passportInstance, realtime);
  mountUserRoutes(router, hub);
  mountLeagueRoutes(router, hub);
  mountTournamentRoutes(router, hub);
  mountPoolRoutes(router, hub);
  mountTeamRoutes(router, hub);
  mountHeroDraftRoutes(router, hub);
  mountBracketRoutes(router, hub);
  mountDraftRoutes(router, hub);
  mountMatchRoutes(router, hub);
  mountSignupRoutes(router, hub);
  mountDiscordRoutes(router, hub);
  for (const def of commandTable) mountCommand(router, hub, def);
}
