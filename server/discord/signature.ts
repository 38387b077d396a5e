import crypto from 'node:crypto';
import express from 'express';
import type { HubServices } from '../services';
import { invalid, unauthenticated, unavailable } from '../commands/errors';

export const INTERACTIONS_PATH = '/api/discord/interactions';
/** Discord signs the timestamp too; an older request is a replay. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

/** The raw 32-byte Ed25519 key from the Developer Portal (hex) as a key object node:crypto verifies with. */
export function importPublicKey(hex: string): crypto.KeyObject {
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

/** Whether `signature` (hex) is the key's signature of timestamp + body; the timestamp (unix seconds) is within 5 minutes of `now`. */
export function checkSignature(
  key: crypto.KeyObject,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  now: number,
): 'ok' | 'missing' | 'bad' | 'stale' {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'missing';
  if (!/^[0-9a-fA-F]{128}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) return 'bad';
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  if (!crypto.verify(null, signed, key, Buffer.from(signature, 'hex'))) return 'bad';
  // Checked after the signature, so the timestamp is Discord's own, not a forger's.
  return Math.abs(now - Number(timestamp) * 1000) > MAX_SIGNATURE_AGE_MS ? 'stale' : 'ok';
}

const REFUSALS = {
  missing: 'missing X-Signature-Ed25519 or X-Signature-Timestamp: only Discord may call this endpoint',
  bad: 'invalid request signature',
  stale: 'request signature expired (timestamp more than 5 minutes away)',
} as const;

/**
 * Mounted before the JSON parser and the session chain: reads the body as bytes (the signature
 * is over them, not over a re-serialisation), checks it, then parses it for the route.
 */
export function interactionsVerifier(hub: Pick<HubServices, 'config' | 'clock'>): express.Router {
  const key = hub.config.discordPublicKey ? importPublicKey(hub.config.discordPublicKey) : undefined;
  // A router of its own: the route proper (with its contract) is mounted with the others.
  return express.Router().post(INTERACTIONS_PATH, express.raw({ type: () => true, limit: '256kb' }), function verifyDiscordSignature(req, _res, next) {
    if (!key) return next(unavailable('Discord interactions are off: DISCORD_PUBLIC_KEY is not configured', 60_000));
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const verdict = checkSignature(key, { signature: header('x-signature-ed25519'), timestamp: header('x-signature-timestamp') }, body, hub.clock.now());
    if (verdict !== 'ok') return next(unauthenticated(REFUSALS[verdict]));
    try {
      req.body = JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      return next(invalid('the body is not JSON'));
    }
    // Read by app.ts: only a request that passed this check skips the session and CSRF.
    (req as { discordVerified?: boolean }).discordVerified = true;
    next();
  });
}
