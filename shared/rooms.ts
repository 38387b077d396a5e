/** Room names, built in one place. A room is a domain entity with its own event stream. */
export const rooms = {
  tournament: (id: number) => `tournament:${id}`,
  draft: (id: number) => `draft:${id}`,
  heroDraft: (id: number) => `herodraft:${id}`,
  match: (id: number) => `match:${id}`,
  user: (id: number) => `user:${id}`,
} as const;

export type RoomKind = keyof typeof rooms;
