// Moved beside the command bus (server/commands/errors.ts); this re-export goes once the last import moves.
export * from '../commands/errors';
