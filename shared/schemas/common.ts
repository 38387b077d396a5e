import { z } from 'zod';

/** Path ids arrive as strings; they must be positive integers. */
export const Id = z.coerce.number().int().positive().max(2_147_483_647);

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const IsoDateTime = z.iso.datetime({ offset: true });

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, 'unknown IANA time zone');

export const Ok = z.object({ ok: z.literal(true) });
