import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

describe('hero images are configurable', () => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('an empty HERO_IMAGE_BASE turns images off (the client shows text tiles)', async () => {
    t = await startHub({ env: { HERO_IMAGE_BASE: '' } });
    const res = await t.client().get('/api/heroes');
    expect(res.body.imageBase).toBe('');
    expect(res.body.heroes.find((h: { id: number }) => h.id === 1)).toMatchObject({ localizedName: 'Anti-Mage', primaryAttr: 'agi' });
  });

  it('another base is served to the client and allowed by the page CSP', async () => {
    t = await startHub({ env: { HERO_IMAGE_BASE: 'https://img.example.org/dota/' } });
    const res = await t.client().get('/api/heroes');
    expect(res.body.imageBase).toBe('https://img.example.org/dota');
    expect(res.headers.get('content-security-policy')).toContain('https://img.example.org');
  });
});
