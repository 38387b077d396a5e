import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { HubError, notFound } from '../commands/errors';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { csrf } from './csrf';
import { loginAsDevUser } from './login.service';
import { logIn } from './passport';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Development login: only when Discord is not configured and NODE_ENV is not production
 * (config.ts refuses DEV_LOGIN=on in production; createHub checks again). Local users get
 * the Discord id `dev-<name>`, which no real Discord account can have.
 */
export function mountDevLogin(router: Router, hub: HubServices) {
  const enabled = () => {
    if (!hub.config.devLogin) throw notFound('development login');
  };

  mount(router, hub, api.devLoginPage, async ({ req, res }) => {
    enabled();
    const token = csrf.generateToken(req);
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Development login · DTX Hub</title><style>body{font-family:system-ui;max-width:28rem;margin:3rem auto;padding:0 1rem}
.warn{background:#fff3cd;border:1px solid #e0b000;padding:.75rem;border-radius:6px}label{display:block;margin:.75rem 0}
input,select,button{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}</style></head><body>
<h1>Development login</h1>
<p class="warn"><strong>For development only.</strong> Discord is not configured, so you can sign in as a local user.
This page does not exist in production.</p>
<form method="post" action="/auth/dev">
<input type="hidden" name="_csrf" value="${escapeHtml(token)}">
<label>User name <input name="username" required pattern="[A-Za-z0-9_.]{2,32}" autocomplete="username"></label>
<label>Site role <select name="role"><option value="member">member</option><option value="staff">staff</option><option value="admin">admin</option></select></label>
<button type="submit">Sign in</button></form></body></html>`);
  });

  mount(router, hub, api.devLogin, async ({ req, res, body }) => {
    enabled();
    if (hub.config.production) throw new HubError('forbidden', 'the development login is off in production');
    const user = await loginAsDevUser(hub, body.username, body.role);
    await logIn(req, user);
    const wantsJson = req.is('application/json');
    if (wantsJson) res.status(200).json({ ok: true });
    else res.redirect(302, '/');
  });
}
