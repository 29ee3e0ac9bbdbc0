# One image for every Gavel service; the command picks the role:
#   node dist/main.js                                  gateway (GAVEL_MODE=distributed)
#   node --max-semi-space-size=2 dist/hub/main.js      Mercure hub
#   node dist/bidding/main.js                          bidding engine
#   node dist/orchestrator/main.js                     back office
# Build: docker build -t gavel .   (docs/operations.md, "Build and image")
ARG NODE_IMAGE=node:20-bookworm-slim

# ── build: every dependency, then `npm run build` (tsc to dist/, the clients bundled ahead of time)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ── runtime: production dependencies and the compiled tree only; no TypeScript, no tsx, no esbuild run
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Lot images on local disk (MEDIA_DIR) belong to the service's user; everything else is read-only to it.
RUN mkdir -p /data/media && chown node:node /data/media
USER node
# The service on PORT answers /health/ready (node: slim images have no curl).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/healthcheck.js", "ready"]
EXPOSE 3000
CMD ["node", "dist/main.js"]
