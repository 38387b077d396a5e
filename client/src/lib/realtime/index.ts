export { RealtimeClient, realtime, type ConnectionState, type RealtimeOptions } from './client';
export { RoomStore, type RoomOptions, type RoomStatus, type RoomView } from './room';
export type { Readable } from './store';
