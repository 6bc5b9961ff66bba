# syntax=docker/dockerfile:1
# The amoCRM webhook server as a container. Build: docker build -t amocrm-webhook-server .
# Run it with docker compose (docker-compose.yml), or give it DB_URL and AMOCRM_CLIENT_SECRET yourself.

# ---- build: the Spring Boot fat jar --------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Dependencies first, so editing sources does not download them again.
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline

COPY src ./src
COPY routes ./routes
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package \
    && cp target/*.jar /build/app.jar

# ---- runtime: JRE only, non-root ------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# curl for the HEALTHCHECK
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/data \
    && chown -R app:app /app
WORKDIR /app
COPY --from=build --chown=app:app /build/app.jar /app/app.jar
USER app

ENV PORT=8000 \
    JAVA_OPTS="-Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k"
EXPOSE 8000

# 503 when the database is down, so the container reports unhealthy
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS "http://localhost:${PORT}/api/webhooks/amo/health" > /dev/null || exit 1

# exec: java is PID 1 and gets SIGTERM for a graceful shutdown; extra arguments go to the application
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/app.jar \"$@\"", "--"]
