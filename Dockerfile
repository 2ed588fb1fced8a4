# syntax=docker/dockerfile:1
# The release-operator image: Node.js 24 and git (the operator clones and pushes report repositories),
# running as a non-root user on a read-only root filesystem.
#
#   docker build -t ghcr.io/release-operator/release-operator:v0.1.0 .

ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: compile TypeScript with the dev dependencies, then drop them so only runtime packages
# are copied on.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The manifests alone first, so editing src/ does not re-run npm ci.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: the same base (the native modules npm built match its glibc and Node ABI), without
# compilers or the TypeScript sources.
FROM ${NODE_IMAGE}
ARG VERSION=v0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="release-operator" \
      org.opencontainers.image.description="A Kubernetes operator that runs every software release as a Release object, from pre-release gate to an auditable verdict." \
      org.opencontainers.image.source="https://github.com/release-operator/release-operator" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# git for the change summary and the report commits; ca-certificates so git and the HTTPS clients
# (Prometheus, registries, webhooks) can verify servers. No recommends: nothing the operator does not run.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Owned by root and so read-only to the operator's user: the running process cannot alter its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The uid/gid the Deployment's securityContext expects (runAsNonRoot needs a numeric user to verify).
USER 1000:1000
# HOME=/tmp: git writes its config there, and /tmp is the only writable mount under readOnlyRootFilesystem.
ENV NODE_ENV=production HOME=/tmp
# metrics, then the health probes.
EXPOSE 8080 8081
ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/main.js"]
