import { describe, expect, it } from 'vitest';
import { formatInZone, utcToZonedLocal, zonedLocalToUtc } from '../../client/src/lib/time';

// The client turns the wall-clock time staff type in a tournament's zone into a UTC instant.
describe('client time zone helpers', () => {
  it('converts wall-clock time in a zone to UTC and back', () => {
    expect(zonedLocalToUtc('2030-07-06T18:00', 'Europe/Berlin')).toBe('2030-07-06T16:00:00.000Z');
    expect(zonedLocalToUtc('2030-01-06T18:00', 'Europe/Berlin')).toBe('2030-01-06T17:00:00.000Z');
    expect(zonedLocalToUtc('2030-01-06T18:00', 'UTC')).toBe('2030-01-06T18:00:00.000Z');
    expect(zonedLocalToUtc('2030-03-01T09:30', 'Asia/Kolkata')).toBe('2030-03-01T04:00:00.000Z');
    expect(utcToZonedLocal('2030-07-06T16:00:00.000Z', 'Europe/Berlin')).toBe('2030-07-06T18:00');
    expect(utcToZonedLocal('2030-07-06T16:00:00Z', 'America/New_York')).toBe('2030-07-06T12:00');
  });

  it('handles the days clocks change', () => {
    // Europe/Berlin goes to summer time on 2030-03-31 at 02:00 (01:00 UTC).
    expect(zonedLocalToUtc('2030-03-31T01:30', 'Europe/Berlin')).toBe('2030-03-31T00:30:00.000Z');
    expect(zonedLocalToUtc('2030-03-31T03:30', 'Europe/Berlin')).toBe('2030-03-31T01:30:00.000Z');
    // 02:30 does not exist that day: it lands within the hour around the gap, never a day off.
    const gap = Date.parse(zonedLocalToUtc('2030-03-31T02:30', 'Europe/Berlin')!);
    expect(Math.abs(gap - Date.parse('2030-03-31T01:00:00Z'))).toBeLessThanOrEqual(3600_000);
    // Back to winter time on 2030-10-27: 02:30 happens twice; either is acceptable.
    expect(['2030-10-27T00:30:00.000Z', '2030-10-27T01:30:00.000Z']).toContain(zonedLocalToUtc('2030-10-27T02:30', 'Europe/Berlin'));
  });

  it('refuses what is not a datetime-local value', () => {
    expect(zonedLocalToUtc('', 'UTC')).toBeNull();
    expect(zonedLocalToUtc('tomorrow', 'UTC')).toBeNull();
  });

  it('formats in the given zone', () => {
    expect(formatInZone('2030-07-06T16:00:00Z', 'Europe/Berlin', 'en-GB')).toMatch(/6 Jul 2030.*18:00/);
  });
});
