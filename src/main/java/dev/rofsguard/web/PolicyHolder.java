package dev.rofsguard.web;

import dev.rofsguard.config.ConfigException;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.Judge;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The policy in force. Loaded at start (a bad file stops the server); the file is then checked for changes and
 * reloaded off the request path; a bad reload is logged and the last good policy stays in force.
 */
@Startup
@ApplicationScoped
public class PolicyHolder {

    private static final Logger LOG = Logger.getLogger(PolicyHolder.class);

    @ConfigProperty(name = "rofs-guard.policy-file")
    Optional<String> policyFile;

    @ConfigProperty(name = "rofs-guard.namespace")
    Optional<String> ownNamespace;

    @ConfigProperty(name = "rofs-guard.reload-interval", defaultValue = "10s")
    Duration reloadInterval;

    /** Null in plain unit tests, which construct the holder by hand. */
    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    private final AtomicReference<Judge> engine = new AtomicReference<>();
    /** SHA-256 of the content last tried (loaded or refused): content, not mtime, because a ConfigMap swap keeps mtime. */
    private volatile byte[] loadedVersion;
    private ScheduledExecutorService watcher;

    @PostConstruct
    void load() {
        try {
            engine.set(new Judge(PolicyLoader.load(path(), ownNamespace.orElse(null))));
            loadedVersion = version();
            LOG.infof("policy loaded from %s", policyFile.orElse("built-in defaults"));
        } catch (ConfigException e) {
            // Refuse to start: a webhook answering with a policy nobody wrote is worse than none.
            throw new IllegalStateException("rofs-guard cannot start: " + e.getMessage());
        }
        if (policyFile.isPresent() && !reloadInterval.isZero()) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rofs-guard-policy-reload");
                t.setDaemon(true);
                return t;
            });
            long ms = reloadInterval.toMillis();
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    public Judge current() {
        return engine.get();
    }

    /** Reloads when the file's content changed. Returns true if a new policy is in force. */
    public boolean reloadIfChanged() {
        byte[] now = version();
        if (now == null) {
            return false;
        }
        if (Arrays.equals(now, loadedVersion)) {
            return false;
        }
        try {
            engine.set(new Judge(PolicyLoader.load(path(), ownNamespace.orElse(null))));
            loadedVersion = now;
            LOG.infof("policy reloaded from %s", policyFile.get());
            count("reloaded");
            return true;
        } catch (ConfigException e) {
            loadedVersion = now; // do not log the same broken file every period
            LOG.errorf("policy reload refused, the last good policy stays in force: %s", e.getMessage());
            count("refused");
            return false;
        }
    }

    private void count(String result) {
        if (registry != null) {
            registry.counter("rofs_guard_config_reloads", "result", result).increment();
        }
    }

    private Path path() {
        return policyFile.map(Path::of).orElse(null);
    }

    private byte[] version() {
        Path p = path();
        if (p == null) {
            return null;
        }
        try {
            // The file is small; hashing it each period is cheaper than any doubt about mtimes and symlink swaps.
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        } catch (java.io.IOException e) {
            LOG.warnf("policy file %s cannot be read, the last good policy stays in force: %s", p, e.getMessage());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JRE has SHA-256
        }
    }
}
