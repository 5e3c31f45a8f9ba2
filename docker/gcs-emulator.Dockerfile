# Local GCS emulator of docker/docker-compose.yml (scripts/gcs-emulator: firebase-tools' Cloud Storage emulator,
# objects in memory). For development only: production nodes talk to Google Cloud Storage.
FROM node:20-bookworm-slim
WORKDIR /app
COPY scripts/gcs-emulator/package.json scripts/gcs-emulator/package-lock.json scripts/gcs-emulator/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY scripts/gcs-emulator/server.js ./
USER node
EXPOSE 9199
ENTRYPOINT ["node", "server.js", "--host", "0.0.0.0", "--port", "9199"]
CMD ["--bucket", "ttv-api-artifacts"]
