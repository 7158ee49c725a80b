# Roster, built from this repository. Configured only by environment variables (see README).
# Node.js 24, a long-term-support line; the suite passes on 20, 22 and 24 (README, Quick start).
ARG NODE_VERSION=24
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json mikro-orm.config.ts ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production PORT=4000 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The admin command line, on PATH: `docker compose exec roster roster tenant list`. (`npm run
# roster` builds first, and the image holds no compiler.)
RUN printf '#!/bin/sh\nexec node /app/dist/src/cli/main.js "$@"\n' > /usr/local/bin/roster && chmod 0755 /usr/local/bin/roster
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The heap limit keeps memory flat under large reads; the larger young generation spares the
# garbage collector under concurrent pages (docs/operations.md#memory).
CMD ["node", "--max-old-space-size=1024", "--max-semi-space-size=32", "dist/src/main.js"]
