# ldapsync as a container: the project's own dependencies installed with npm ci (no build step:
# Node 24 runs the TypeScript as it is). Used by compose.yaml; `docker build -t ldapsync .`
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
# The data folder (SQLite, and the keys every process of a cluster shares) belongs to the
# unprivileged user the server runs as; a named volume mounted here starts with this owner.
RUN mkdir -p /data/keys && chown -R node:node /data
USER node
ENV LDAPSYNC_DATA_DIR=/data HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "src/main.ts"]
CMD ["serve"]
