package dev.rofsguard.cli;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How {@code audit --cluster} finds its cluster, as kubectl does: {@code --kubeconfig}, else {@code $KUBECONFIG},
 * else {@code ~/.kube/config}, else the pod's service account; {@code --context} picks a context. Says plainly what
 * is missing instead of letting the client fall back to localhost and fail with a stack of connection errors.
 */
final class ClusterAccess {

    private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private ClusterAccess() {
    }

    static final class NoSuchContext extends Exception {
        NoSuchContext(String message) {
            super(message);
        }
    }

    /** Why no cluster can be reached (no kubeconfig anywhere and not in a pod), or empty. */
    static Optional<String> missingKubeconfig(Path kubeconfig) {
        if (kubeconfig != null) {
            return Files.isRegularFile(kubeconfig) ? Optional.empty()
                    : Optional.of("--kubeconfig " + kubeconfig + ": no such file");
        }
        List<String> looked = new ArrayList<>();
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            for (String f : env.split(File.pathSeparator)) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f))) {
                    return Optional.empty();
                }
            }
            looked.add("$KUBECONFIG (" + env + ")");
        } else {
            // $HOME first, as kubectl (and fabric8) read it; the JVM's user.home comes from the password database
            String homeDir = System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home");
            Path home = Path.of(homeDir, ".kube", "config");
            if (Files.isRegularFile(home)) {
                return Optional.empty();
            }
            looked.add(home.toString());
        }
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(SERVICE_ACCOUNT_TOKEN)) {
            return Optional.empty();
        }
        return Optional.of("no kubeconfig: looked at " + String.join(", ", looked) + ", and this is not a pod with a "
                + "service account; give --kubeconfig FILE (or set KUBECONFIG)");
    }

    static Config config(Path kubeconfig, String context) throws NoSuchContext {
        if (kubeconfig != null) {
            // fabric8 reads the file named by this property in place of $KUBECONFIG and ~/.kube/config
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
        }
        Config config = Config.autoConfigure(context);
        if (context != null) {
            NamedContext current = config.getCurrentContext();
            if (current == null || !context.equals(current.getName())) {
                List<String> names = config.getContexts() == null ? List.of()
                        : config.getContexts().stream().map(NamedContext::getName).toList();
                throw new NoSuchContext("--context " + context + ": no such context in the kubeconfig"
                        + (names.isEmpty() ? "" : " (it has " + String.join(", ", names) + ")"));
            }
        }
        return config;
    }

    static String where(String context) {
        return context == null ? "" : " (context " + context + ")";
    }

    /** The innermost cause, in one line: the fabric8 message wraps it in a stack of "Operation … failed". */
    static String reason(KubernetesClientException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        if (e.getCode() > 0) {
            return "HTTP " + e.getCode() + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage() : m);
        }
        return m.lines().findFirst().orElse(m);
    }
}
