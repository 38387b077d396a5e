import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT } from '../foundation/hub-process';

/**
 * No Docker engine on the CI machines (so no `docker compose config`): this checks what it
 * can from the files themselves. YAML merge keys (<<) are resolved as compose does.
 */
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Record<string, any>>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const replicas = ['hub-1', 'hub-2'];
const envOf = (service: string) => services[service]!.environment as Record<string, string>;

describe('docker-compose.yml, Dockerfile, .dockerignore', () => {
  it('docker-compose config accepts the file (with or without a .env)', () => {
    // Debian's docker-compose (installed by .ci/run); the file keeps to what v1.29 and v2 accept.
    const run = spawnSync('docker-compose', ['config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.error, 'docker-compose is not installed').toBeUndefined();
    expect(run.stderr + run.stdout, `exit ${run.status}`).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs nginx, two hub replicas, a one-shot migrate step, PostgreSQL and Redis', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['nginx', ...replicas, 'migrate', 'postgres', 'redis']));
    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? service.build, `${name} has an image`).toBeTruthy();
      for (const dep of Object.keys(service.depends_on ?? {})) expect(services, `${name} depends on ${dep}`).toHaveProperty(dep);
      // Long-running services restart and are health-checked; the one-shot step does neither.
      if (name === 'migrate') continue;
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck?.test, `${name} healthcheck`).toBeTruthy();
    }
    // The development services stay out of `docker compose up`.
    for (const [name, service] of Object.entries(services)) if (name.startsWith('dev-')) expect(service.profiles).toEqual(['dev']);
  });

  it('migrations are applied once, before the replicas, which start with them off', () => {
    const migrate = services.migrate!;
    expect(migrate.command.join(' ')).toContain('server/scripts/migrate.ts');
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const hub of replicas) {
      expect(services[hub]!.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(envOf(hub).MIGRATE_ON_START).toBe('false');
      expect(envOf(hub).NODE_ENV).toBe('production');
      expect(envOf(hub).REDIS_URL).toBe('redis://redis:6379');
      expect(envOf(hub).DATABASE_URL).toMatch(/^postgres:\/\/\$\{POSTGRES_USER:-dtx\}:\$\{POSTGRES_PASSWORD:-\}@postgres:5432\//);
      expect(envOf(hub).TRUST_PROXY).toBe('1');
      expect(services[hub]!.healthcheck.test.join(' ')).toContain('/readyz');
      expect(services[hub]!.ports, 'replicas are reached through nginx only').toBeUndefined();
    }
  });

  it('secrets come from .env only, never written in the file', () => {
    // Each secret the hubs need is named and interpolated from .env (no env_file: Debian's
    // docker-compose 1.29 has no optional env_file, and a missing .env must not break `config`).
    for (const name of [...replicas, 'migrate']) {
      expect(services[name]!.env_file).toBeUndefined();
      for (const key of ['SESSION_SECRET', 'DISCORD_CLIENT_ID', 'DISCORD_CLIENT_SECRET', 'STEAM_API_KEY', 'PUBLIC_URL'])
        expect(envOf(name)[key], `${name}.${key}`).toBe(`\${${key}:-}`);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries((service.environment ?? {}) as Record<string, string>)) {
        if (/SECRET|PASSWORD|TOKEN|KEY/.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:-\}$/);
      }
    }
    // Every ${VAR} the file reads is documented in .env.example.
    const example = read('.env.example');
    for (const [, variable] of read('docker-compose.yml').matchAll(/(?<!\$)\$\{([A-Z_]+)/g)) expect(example, variable).toContain(`# ${variable}=`);
  });

  it('PostgreSQL keeps its data in a named volume; Redis keeps nothing', () => {
    expect(services.postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('postgres-data');
    expect(services.redis!.command.join(' ')).toContain('--appendonly no');
  });

  it('nginx serves deploy/nginx/nginx.conf, whose upstreams are the replicas', () => {
    const nginx = services.nginx!;
    expect(nginx.volumes).toContain('./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(nginx.depends_on).toEqual({ 'hub-1': { condition: 'service_healthy' }, 'hub-2': { condition: 'service_healthy' } });
    expect(nginx.ports).toEqual(['80:80']);
    const conf = read('deploy/nginx/nginx.conf');
    for (const hub of replicas) expect(conf.match(new RegExp(`server ${hub}:3000 `, 'g'))).toHaveLength(2);
    expect(conf).toContain('listen 80;');
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
  });

  it('the image: multi-stage, production dependencies only, non-root, health-checked; .dockerignore keeps secrets out', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain('npm ci --omit=dev');
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^HEALTHCHECK /m);
    expect(final).not.toMatch(/npm ci(?! --omit=dev)/);
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', '.git', 'tests', '*.sqlite']) expect(ignored).toContain(entry);
  });
});
