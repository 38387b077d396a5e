import type { IRouter } from 'express';
import { api } from '../../shared/api/contract';
import { InteractionType } from '../../shared/schemas/discord';
import type { HubServices } from '../services';
import { mount } from '../http/route';
import { invalid } from '../commands/errors';
import { pong } from './answers';
import { answerSlashCommand } from './slash';

/**
 * The interactions endpoint's transport. The signature was checked before the body was parsed
 * (signature.ts); here only the interaction itself is answered.
 */
export function mountDiscordRoutes(router: IRouter, hub: HubServices) {
  mount(router, hub, api.discordInteractions, async ({ body }) => {
    if (body.type === InteractionType.ping) return pong();
    if (body.type === InteractionType.applicationCommand) return answerSlashCommand(hub, body);
    throw invalid(`interaction type ${body.type} is not handled by this hub`);
  });
}
