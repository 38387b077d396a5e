import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idText, matchPlayer, num, parseLossless } from '../../server/steam/json';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JSON value that may hold integers past 2^53 (as bigint) among ordinary values. */
type Value = null | boolean | number | string | bigint | Value[] | { [k: string]: Value };

/** JSON text with bigints written as raw numbers, as Valve writes 64-bit ids. */
function write(v: Value): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * What the parser must give back: an integer literal past 2^53 as its exact text (a double
 * such as 2^60 written without exponent is one too), everything else as JSON.parse reads it.
 */
function expected(v: Value): unknown {
  if (typeof v === 'bigint') return v > MAX_SAFE || v < -MAX_SAFE ? v.toString() : Number(v);
  if (typeof v === 'number') return /^-?\d+$/.test(JSON.stringify(v)) && !Number.isSafeInteger(v) ? JSON.stringify(v) : v;
  if (Array.isArray(v)) return v.map(expected);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x)]));
  return v;
}

const bigId = fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n });
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.integer(),
    bigId,
    // Strings that look like numbers, big ones included: never touched.
    fc.oneof(
      fc.string(),
      bigId.map((b) => `${b}`),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    ),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('ST2 lossless parsing of Steam answers', () => {
  it('ST2 a float longer than 15 characters stays a number (Steam’s game clock)', () => {
    const parsed = parseLossless('{"scoreboard":{"duration":1759.669677734375,"position_x":-5192.20263671875}}') as {
      scoreboard: { duration: unknown; position_x: unknown };
    };
    expect(parsed.scoreboard.duration).toBe(1759.669677734375);
    expect(parsed.scoreboard.position_x).toBe(-5192.20263671875);
    expect(num(parsed.scoreboard.duration)).toBe(1759);
    // Exponents are floats too (the literals below are rounded as JSON.parse rounds them).
    // eslint-disable-next-line no-loss-of-precision
    expect(parseLossless('[1.5e+300, 12345678901234567e-3, -0.000012345678901234567]')).toEqual([1.5e300, 12345678901234.567, -0.000012345678901234567]);
  });

  it('ST2 integer ids past 2^53 come out exact as strings; those that fit a double stay numbers', () => {
    const parsed = parseLossless(
      '{"lobby_id":23972521217273801,"team_logo":536264712575506853,"steamid":76561198041545937,"match_id":8591933650,"max":9007199254740991,"over":9007199254740992,"neg":-9223372036854775808}',
    );
    expect(parsed).toEqual({
      lobby_id: '23972521217273801',
      team_logo: '536264712575506853',
      steamid: '76561198041545937',
      match_id: 8591933650,
      max: 9007199254740991,
      over: '9007199254740992',
      neg: '-9223372036854775808',
    });
    expect(idText((parsed as { lobby_id: unknown }).lobby_id)).toBe('23972521217273801');
  });

  it('ST2 strings holding digits, quotes and escapes are untouched', () => {
    const text = String.raw`{"name":"23972521217273801","q":"say \"12345678901234567890\" \\","u":"\u0031 2"}`;
    expect(parseLossless(text)).toEqual({ name: '23972521217273801', q: 'say "12345678901234567890" \\', u: '1 2' });
  });

  it('ST2 a repeated key is tolerated and keeps its last value (abilities in live league games)', () => {
    const parsed = parseLossless('{"players":[],"abilities":[{"ability_id":5003}],"abilities":[{"ability_id":5438}]}');
    expect(parsed).toEqual({ players: [], abilities: [{ ability_id: 5438 }] });
  });

  it('ST2 malformed text is refused', () => {
    for (const bad of ['', '{', '{"a":01}', '{"a":1,}', '<html>Service Unavailable</html>', '{"a":"12345678901234567890}'])
      expect(() => parseLossless(bad), bad).toThrow();
  });

  it('ST2 property: any JSON with big integer ids parses to the same values, big integers as exact text', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(parseLossless(write(v))).toEqual(expected(v));
      }),
      { numRuns: 400 },
    );
  });

  it('ST2 property: any JSON text (unicode, escapes, nesting) reads as JSON.parse reads it, but for integers past 2^53', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(parseLossless(text)).toEqual(expected(JSON.parse(text) as Value));
      }),
      { numRuns: 400 },
    );
  });
});

describe('numbers from upstream answers', () => {
  it('num keeps whole numbers and cuts a fraction (a clock shows whole seconds); anything else is 0', () => {
    expect([num(1759.669677734375), num(-12.5), num(7), num('7'), num(null), num(Number.NaN)]).toEqual([1759, -12, 7, 0, 0, 0]);
  });

  it('a match player without net worth keeps it null and its total gold apart', () => {
    const p = matchPlayer({ account_id: 4294967295, player_slot: 128, hero_id: 0, total_gold: 16391.4, gold_per_min: 443 });
    expect(p).toMatchObject({ accountId: null, playerSlot: 128, heroId: 0, netWorth: null, totalGold: 16391, gpm: 443 });
    expect(matchPlayer({ account_id: 1, player_slot: 0, hero_id: 5, net_worth: 19278, total_gold: 20000 })).toMatchObject({
      netWorth: 19278,
      totalGold: 20000,
    });
  });
});
