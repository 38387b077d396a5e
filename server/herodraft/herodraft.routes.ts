import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import { withServerTime } from '../deadlines/deadlines';
import type { HubServices } from '../services';
import {
  abandonHeroDraft,
  act,
  choose,
  configureHeroDraft,
  createHeroDraft,
  heroList,
  listHeroDrafts,
  pauseHeroDraft,
  penalize,
  readHeroDraft,
  resetHeroDraft,
  resumeHeroDraft,
  setReady,
} from './herodraft.service';

export function mountHeroDraftRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listHeroes, async ({ query }) => heroList(hub, query.scope));
  mount(router, hub, api.listHeroDrafts, ({ params }) => listHeroDrafts(hub, params.tournamentId));
  mount(router, hub, api.createHeroDraft, ({ actor, params, body }) => withServerTime(hub, createHeroDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.getHeroDraft, ({ params }) => readHeroDraft(hub, params.heroDraftId));
  mount(router, hub, api.configureHeroDraft, ({ actor, params, body }) => withServerTime(hub, configureHeroDraft(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.readyHeroDraft, ({ actor, params, body }) => withServerTime(hub, setReady(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.chooseHeroDraft, ({ actor, params, body }) => withServerTime(hub, choose(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.actHeroDraft, ({ actor, params, body }) => withServerTime(hub, act(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.pauseHeroDraft, ({ actor, params, body }) => withServerTime(hub, pauseHeroDraft(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.resumeHeroDraft, ({ actor, params, body }) => withServerTime(hub, resumeHeroDraft(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.resetHeroDraft, ({ actor, params, body }) => withServerTime(hub, resetHeroDraft(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.abandonHeroDraft, ({ actor, params, body }) => withServerTime(hub, abandonHeroDraft(hub, actor, params.heroDraftId, body)));
  mount(router, hub, api.penalizeHeroDraft, ({ actor, params, body }) => withServerTime(hub, penalize(hub, actor, params.heroDraftId, body)));
}
