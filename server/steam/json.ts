import JSONbig from 'json-bigint';

/**
 * Steam writes lobby ids, server steam ids, team logos and SteamID64s as raw JSON numbers past
 * 2^53 (ST2). json-bigint keeps every number longer than 15 digits as its exact text; shorter
 * ones fit a double. Repeated keys (`abilities` in live league games) keep the last value
 * instead of failing.
 */
const parser = JSONbig({ storeAsString: true, strict: false, protoAction: 'ignore', constructorAction: 'ignore' });

export function parseLossless(text: string): unknown {
  return parser.parse(text);
}

/** An id as its exact decimal text, whichever way the parser kept it. */
export function idText(value: unknown): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}
