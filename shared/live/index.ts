/** The rooms' reducers (issue 20): events carry their effect, applied the same way by server and client. */
export { CannotApply, type LiveEvent } from './event';
export { applyDraftEvent, type DraftDelta, type DraftScalars, draftScalars, replayDraft } from './draft';
export { applyHeroDraftEvent, type HeroDraftDelta, type HeroDraftScalars, type HeroDraftTeamScalars, heroDraftScalars, replayHeroDraft } from './herodraft';
