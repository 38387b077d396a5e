/** What a reducer reads of a room event (a WireEvent, or a row of the server's log). */
export interface LiveEvent {
  seq: number;
  type: string;
  payload: unknown;
}

/**
 * An event that does not fit the state it was given (a shape this build cannot read, or a
 * state it was not meant for). A client that meets one asks for a fresh snapshot instead of
 * showing a wrong state.
 */
export class CannotApply extends Error {
  constructor(
    readonly event: LiveEvent | null,
    reason: string,
  ) {
    super(event ? `cannot apply ${event.type} #${event.seq}: ${reason}` : `cannot apply the event: ${reason}`);
    this.name = 'CannotApply';
  }
}
