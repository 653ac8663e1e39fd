# syntax=docker/dockerfile:1
# The bot in a container. The build stage compiles dist/ with the whole toolchain; the runtime stage
# holds production dependencies only and runs node itself as the first process, so `docker stop`'s
# SIGTERM reaches the bot, which finishes requests in flight and pending writes and exits 0 (allow it
# 35 s: `docker stop -t 35`). test/container/runtime.test.ts reads this file: it lays a folder out as
# the runtime stage's COPY lines do, and runs its CMD with its ENV.
# Node 20 matches "engines" in package.json (>=20.19) and esbuild's --target=node20.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/ holds the bot (main.js) and the personal tab (dist/tab/); rules/ the default catalog, which
# dist/main.js finds at ../rules/catalog.json. The app folder stays root's: read-only for the bot.
COPY --from=build /app/dist ./dist
COPY --from=build /app/rules ./rules
# The store (db.json, its journals and its lock folder) lives on the volume. One container per
# volume: the store has one writer, and its lock refuses a second.
RUN mkdir /data && chown node:node /data
ENV DB_FILE=/data/db.json NODE_ENV=production PORT=3978
VOLUME /data
USER node
EXPOSE 3978
# Slim images have no curl: node asks /healthz itself. Local mode (no MicrosoftAppId) listens on
# 127.0.0.1 only, which this check, run inside the container, still reaches.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--disable-warning=DEP0111", "--enable-source-maps", "--max-old-space-size=256", "dist/main.js"]
