# DTX Hub image: the built client plus the server, run by tsx (a production dependency).
#   docker build -t dtx-hub .
#   docker run --env-file .env -p 3000:3000 dtx-hub
# Node 20 as on the development machines; npm 11 for package.json's allowScripts.

# --- 1. build the client (needs the dev dependencies: vite, svelte)
FROM node:20-bookworm-slim AS client
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/* && npm install -g npm@11
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client ./client
COPY shared ./shared
RUN npm run build

# --- 2. production dependencies only (better-sqlite3 is compiled here when no prebuilt fits)
FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/* && npm install -g npm@11
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- 3. the runtime image: no compiler, no dev dependencies, source files owned by root (read-only
# for the hub), only /app/data writable.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SQLITE_FILE=/app/data/dtx.sqlite \
    MIGRATE_ON_START=true
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY server ./server
COPY shared ./shared
COPY migrations ./migrations
COPY --from=client /app/dist/client ./dist/client
# The SQLite file (when DATABASE_URL is not set) lives in a volume the non-root user can write.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM reaches node directly (exec form): the hub finishes in-flight work and exits 0.
# One container: migrations at start (MIGRATE_ON_START). Several (docker-compose.yml): a one-shot
# `node --import tsx server/scripts/migrate.ts` first, the hubs with MIGRATE_ON_START=false.
CMD ["node", "--import", "tsx", "server/main.ts"]
