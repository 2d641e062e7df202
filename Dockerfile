# syntax=docker/dockerfile:1
# rofs-guard image. Build from the repository: docker build -t rofs-guard .   (or: podman build -t rofs-guard .)
# The base images are build arguments (defaults: public images), e.g. a mirror or a locally made JRE:
#   --build-arg BUILD_IMAGE=… --build-arg RUNTIME_IMAGE=…
# An already packaged app (./mvnw package made target/quarkus-app) can be used instead of building in the image:
#   --build-arg APP=prebuilt
# Stage 1 builds with the Maven wrapper; the last stage runs on distroless Java 17 (no shell, no package manager),
# as a non-root numeric UID, and writes nothing outside /tmp.
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUNTIME_IMAGE=gcr.io/distroless/java17-debian12:nonroot
ARG APP=build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/main/ src/main/
RUN ./mvnw -B -DskipTests package

FROM scratch AS prebuilt
COPY target/quarkus-app/ /src/target/quarkus-app/

# Unused stages are skipped (BuildKit, buildah): APP names the stage the app comes from.
FROM ${APP} AS app

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=app /src/target/quarkus-app/ /app/
# Class-data sharing: an archive of the classes that start-up and the warm-up load, made here because it only
# works with the JVM that made it. The training run starts the server, warms up and exits (exec form: no shell).
RUN ["java", "-XX:ArchiveClassesAtExit=/app/app-cds.jsa", "-XX:+UseSerialGC", "-Xmx96m", "-Xss512k", \
     "-XX:MaxMetaspaceSize=96m", "-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp", "-Dvertx.cacheDirBase=/tmp/vertx-cache", \
     "-Dvertx.disableFileCPResolving=true", "-Drofs-guard.warmup.exit=true", "-Drofs-guard.shutdown.delay=0s", \
     "-Dquarkus.log.level=WARN", "-jar", "/app/quarkus-run.jar"]
# Two malloc arenas instead of one per core and thread burst: under OverloadHeavyIT's load, max RSS 281 MB against
# 290 MB without (dev measurement, same flags and load, 2026-12-05).
ENV MALLOC_ARENA_MAX=2
# The JIT stops at C1 (tier 1, no profiling): C2's compiler arenas (up to ~38 MB while a large method compiles, then
# held in the chunk pool and malloc's free lists for seconds) and the profiled code come on top of a heap that a
# flood fills. Under OverloadHeavyIT's load, max RSS 200-203 MB against 247-273 with C2; paced 2,000 reviews/s over
# HTTP/2, p99 1.7-2.3 ms against 1.4-1.5 and ~45 % more CPU (2026-12-05, dev/h2-paced.sh, alternating runs). Where
# CPU matters more than memory, set JDK_JAVA_OPTIONS to "" in the pod for C2 (and raise the memory request to 320Mi:
# docs/operations.md).
ENV JDK_JAVA_OPTIONS=-XX:TieredStopAtLevel=1
# 65532 is distroless' "nonroot"; numeric so that runAsNonRoot can verify it.
USER 65532:65532
# 8443: admission webhook (HTTPS only). 9000: probes and Prometheus metrics (plain HTTP).
EXPOSE 8443 9000
# Heap bounded (a default heap grew to 750 MB RSS under load); SerialGC suits 1-2 CPUs and small heaps. Young
# generation half the heap (NewRatio=1): a parsed 3 MiB review (~27 MB of tree) then dies young more often; with the
# default third, OverloadHeavyIT spent ~30 % of its time in GC pauses and health took 1.1-1.5 s (0.6-0.8 s with it).
# Nothing is written to the root filesystem: no perf data file, temp files and the Vert.x cache under /tmp
# (an emptyDir in the Deployment), no class-path file extraction. -Xshare:on: fail at start rather than run
# without the archive (a JVM that differs from the one that made it).
# TrimNativeHeapInterval: give freed malloc memory (mostly the JIT compiler's arenas) back every second; under
# OverloadHeavyIT's load max RSS 279 MB against 296 MB without (one run each, by hand, 2026-12-05;
# the heavy test's runs with it: 282-296 MB).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/app-cds.jsa", "-Xshare:on", "-XX:+UseSerialGC", "-Xmx96m", "-XX:NewRatio=1", "-Xss512k", \
            "-XX:TrimNativeHeapInterval=1000", \
            "-XX:MaxMetaspaceSize=96m", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", \
            "-Dvertx.cacheDirBase=/tmp/vertx-cache", "-Dvertx.disableFileCPResolving=true", "-jar", "/app/quarkus-run.jar"]
