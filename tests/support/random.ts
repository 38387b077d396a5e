import crypto from 'node:crypto';
import type { HubRandom } from '../../server/services';

/**
 * The hub's random source for tests: what a test scripts (dice, coin tosses) is used, anything
 * else is crypto as in production. A test may script again between steps.
 */
export class ScriptedRandom implements HubRandom {
  constructor(private script: Partial<HubRandom> = {}) {}
  use(script: Partial<HubRandom>) {
    this.script = script;
  }
  d6(): number {
    return this.script.d6 ? this.script.d6() : crypto.randomInt(1, 7);
  }
  int(n: number): number {
    return this.script.int ? this.script.int(n) : crypto.randomInt(0, n);
  }
}
