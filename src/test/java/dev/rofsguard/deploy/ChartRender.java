package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Renders the chart with real Helm (helm-java) as a cluster of a given Kubernetes version would see it.
 *
 * <p>helm-java's {@code template} cannot be told a Kubernetes version (Helm's {@code --kube-version}): it always
 * renders with Helm's built-in v1.20.0, and it prints the release manifest without the hooks. So the chart is
 * rendered from a copy that differs in exactly three places, each of which must be found: Chart.yaml's
 * {@code kubeVersion} floor is dropped (v1.20.0 would be refused; {@link HelmChartTest} checks the unmodified chart
 * is refused), {@code .Capabilities.KubeVersion.Version} reads the requested version, and the {@code helm.sh/hook}
 * annotation key is renamed to {@link #HOOK} so that hook and test objects are printed with the rest.
 */
public final class ChartRender {

    public static final Path CHART = Path.of("charts/rofs-guard");
    /** A current Kubernetes version, used when a test does not ask for one. */
    public static final String CURRENT = "v1.37.2";
    /** What {@code helm.sh/hook} is renamed to in the rendered copy. */
    public static final String HOOK = "rofs-guard.test/hook";

    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    private ChartRender() {
    }

    public static List<Document> render(Map<String, ?> values) {
        return render(values, CURRENT);
    }

    public static List<Document> render(Map<String, ?> values, String kubeVersion) {
        return render("rofs-guard", "rofs-guard", values, kubeVersion);
    }

    public static List<Document> render(String release, String namespace, Map<String, ?> values, String kubeVersion) {
        TemplateCommand t = new Helm(copy(kubeVersion)).template().withName(release).withNamespace(namespace);
        values.forEach(t::set);
        return read(t.call());
    }

    public static List<Document> read(String yaml) {
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).as(yaml).isEmpty();
        return r.documents();
    }

    /** The chart copy for {@code kubeVersion}, made once per run. */
    public static synchronized Path copy(String kubeVersion) {
        return COPIES.computeIfAbsent(kubeVersion, v -> {
            try {
                Path dir = Files.createTempDirectory("rofs-guard-chart-" + v + "-").resolve("rofs-guard");
                try (Stream<Path> files = Files.walk(CHART)) {
                    for (Path f : files.toList()) {
                        Path to = dir.resolve(CHART.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(f, to);
                        }
                    }
                }
                Path chartYaml = dir.resolve("Chart.yaml");
                String chart = Files.readString(chartYaml);
                assertThat(chart).containsPattern("(?m)^kubeVersion: .*$");
                Files.writeString(chartYaml, chart.replaceAll("(?m)^kubeVersion: .*$", ""));
                int capabilities = 0;
                int hooks = 0;
                try (Stream<Path> templates = Files.walk(dir.resolve("templates"))) {
                    for (Path f : templates.filter(Files::isRegularFile).toList()) {
                        String text = Files.readString(f);
                        capabilities += count(text, ".Capabilities.KubeVersion.Version");
                        hooks += count(text, "\"helm.sh/hook\"");
                        // helm-java's template has no --api-versions: MutatingAdmissionPolicy v1 is served from 1.36.
                        String map = ".Capabilities.APIVersions.Has \"admissionregistration.k8s.io/v1/MutatingAdmissionPolicy\"";
                        Files.writeString(f, text.replace(map, "(semverCompare \">=1.36.0-0\" \"" + v + "\")")
                                .replace(".Capabilities.KubeVersion.Version", "\"" + v + "\"")
                                .replace("\"helm.sh/hook\"", "\"" + HOOK + "\""));
                    }
                }
                assertThat(capabilities).as("templates reading the Kubernetes version").isPositive();
                assertThat(hooks).as("hook annotations (pre-delete and test)").isGreaterThanOrEqualTo(2);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
