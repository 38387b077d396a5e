import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { rooms } from '../../shared/rooms';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { answerClaim, claimResult, createStage, deleteStage, disqualifyTeam, readBracket, reportSeries } from './bracket.service';

export function mountBracketRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.getBracket, ({ params }) => readBracket(hub.db, params.tournamentId), {
    // The room's own tag too: every event moves `seq`, which this answer carries.
    cache: ({ params }) => ({
      key: `bracket:${params.tournamentId}`,
      tags: [tags.bracket(params.tournamentId), roomTag(rooms.tournament(params.tournamentId))],
    }),
  });
  mount(router, hub, api.createStage, ({ actor, params, body }) => createStage(hub, actor, params.tournamentId, body));
  mount(router, hub, api.deleteStage, ({ actor, params }) => deleteStage(hub, actor, params.tournamentId, params.stageId));
  mount(router, hub, api.disqualifyTeam, ({ actor, params, body }) => disqualifyTeam(hub, actor, params.tournamentId, params.stageId, body));
  mount(router, hub, api.reportSeries, ({ actor, params, body }) => reportSeries(hub, actor, params.tournamentId, params.matchId, body));
  mount(router, hub, api.claimSeries, ({ actor, params, body }) => claimResult(hub, actor, params.tournamentId, params.matchId, body));
  mount(router, hub, api.confirmSeries, ({ actor, params, body }) =>
    answerClaim(hub, actor, params.tournamentId, params.matchId, 'confirm', body.expectedVersion),
  );
  mount(router, hub, api.disputeSeries, ({ actor, params, body }) =>
    answerClaim(hub, actor, params.tournamentId, params.matchId, 'dispute', body.expectedVersion),
  );
}
