import { Router } from './router.svelte';

/** Every page of the client; the names select the page component in App.svelte. */
export const router = new Router([
  ['/', 'home'],
  ['/tournaments/new', 'newTournament'],
  ['/tournaments/:id', 'tournament'],
  ['/tournaments/:id/manage', 'manage'],
  ['/tournaments/:id/signup', 'signup'],
  ['/tournaments/:id/bracket', 'bracket'],
  ['/tournaments/:id/draft', 'draft'],
  ['/tournaments/:id/herodrafts', 'heroDrafts'],
  ['/herodrafts/:id', 'heroDraft'],
  ['/profile', 'profile'],
  ['/live', 'live'],
  ['/match/:id', 'match'],
  ['/tournaments/:id/matches', 'matchLinks'],
  ['/leagues', 'leagues'],
  ['/users/:id', 'player'],
  ['/admin/users', 'adminUsers'],
]);
