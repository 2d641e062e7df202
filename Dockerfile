# syntax=docker/dockerfile:1
# rofs-guard image. Build: docker build -t rofs-guard .
# Stage 1 builds with the Maven wrapper; stage 2 runs on distroless Java 17 (no shell, no package manager,
# maintained by the distroless project), as a non-root numeric UID, and writes nothing outside /tmp.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/main/ src/main/
RUN ./mvnw -B -DskipTests package

FROM gcr.io/distroless/java17-debian12:nonroot
WORKDIR /app
COPY --from=build /src/target/quarkus-app/ /app/
# 65532 is distroless' "nonroot"; numeric so that runAsNonRoot can verify it.
USER 65532:65532
# 8443: admission webhook (HTTPS only). 9000: probes and Prometheus metrics (plain HTTP).
EXPOSE 8443 9000
# Heap bounded (a default heap grew to 750 MB RSS under load); SerialGC suits 1-2 CPUs and small heaps.
# Nothing is written to the root filesystem: no perf data file, temp files and the Vert.x cache under /tmp
# (an emptyDir in the Deployment), no class-path file extraction.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx128m", "-Xss512k", "-XX:MaxMetaspaceSize=96m", "-XX:-UsePerfData", \
            "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-Dvertx.cacheDirBase=/tmp/vertx-cache", \
            "-Dvertx.disableFileCPResolving=true", "-jar", "/app/quarkus-run.jar"]
