package dev.rofsguard.report;

import com.contrastsecurity.sarif.ArtifactLocation;
import com.contrastsecurity.sarif.Invocation;
import com.contrastsecurity.sarif.Location;
import com.contrastsecurity.sarif.Message;
import com.contrastsecurity.sarif.MultiformatMessageString;
import com.contrastsecurity.sarif.Notification;
import com.contrastsecurity.sarif.PhysicalLocation;
import com.contrastsecurity.sarif.Region;
import com.contrastsecurity.sarif.ReportingConfiguration;
import com.contrastsecurity.sarif.ReportingDescriptor;
import com.contrastsecurity.sarif.Result;
import com.contrastsecurity.sarif.Run;
import com.contrastsecurity.sarif.SarifSchema210;
import com.contrastsecurity.sarif.Tool;
import com.contrastsecurity.sarif.ToolComponent;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.ContainerRule;
import com.contrastsecurity.sarif.LogicalLocation;
import com.contrastsecurity.sarif.OriginalUriBaseIds;
import com.contrastsecurity.sarif.PropertyBag;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** SARIF 2.1.0 (types from java-sarif) for code-scanning upload: one result per finding, at the container's line. */
public final class SarifReport {

    private SarifReport() {
    }

    /** Where GitHub code scanning and other consumers resolve the relative URIs: the checkout's root. */
    public static final String SRCROOT = "%SRCROOT%";

    private static final URI HELP_URI = URI.create(
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/");

    public static SarifSchema210 render(AuditReport report, String version) {
        return render(report, version, Path.of("").toAbsolutePath());
    }

    /** @param root the directory artifact URIs are relative to (the working directory, or {@code --sarif-root}) */
    public static SarifSchema210 render(AuditReport report, String version, Path root) {
        Path base = root.toAbsolutePath().normalize();
        Result.Level level = switch (report.mode()) {
            case ENFORCE -> Result.Level.ERROR;
            case WARN -> Result.Level.WARNING;
            case AUDIT -> Result.Level.NOTE;
        };
        Set<ContainerRule> used = new LinkedHashSet<>(report.rules());
        report.findings().forEach(f -> used.add(f.rule()));
        Set<ReportingDescriptor> rules = new LinkedHashSet<>();
        for (ContainerRule r : used) {
            PropertyBag properties = new PropertyBag().withTags(new LinkedHashSet<>(List.of("security", "kubernetes")));
            properties.setAdditionalProperty("security-severity", r.severity());
            properties.setAdditionalProperty("precision", "very-high");
            rules.add(new ReportingDescriptor().withId(r.qualifiedId()).withName(r.id())
                    .withShortDescription(new MultiformatMessageString().withText("Containers must not run " + r.title()))
                    .withFullDescription(new MultiformatMessageString().withText("Every container, init container and ephemeral "
                            + "container must " + r.shortFix() + "."))
                    .withHelpUri(HELP_URI)
                    .withHelp(new MultiformatMessageString().withText(r.help())
                            .withMarkdown(r.help() + "\n\n```yaml\n" + r.fix() + "\n```\n\nSee [Configure a Security Context]("
                                    + HELP_URI + ")."))
                    .withDefaultConfiguration(new ReportingConfiguration().withLevel(ReportingConfiguration.Level.fromValue(level.value())))
                    .withProperties(properties));
        }
        List<Result> results = new ArrayList<>();
        for (AuditedObject o : report.objects()) {
            for (Finding f : o.findings()) {
                results.add(new Result().withRuleId(f.rule().qualifiedId()).withLevel(level)
                        .withMessage(new Message().withText(f.object() + ": " + f.containerKind() + " \"" + f.container() + "\" "
                                + f.problem() + ". Fix:\n" + f.fix()))
                        .withLocations(List.of(location(f.source(), f.containerLine(), o, base))));
            }
        }
        List<Notification> notifications = new ArrayList<>();
        for (ManifestError e : report.errors()) {
            Notification n = new Notification().withLevel(Notification.Level.ERROR).withMessage(new Message().withText(e.message()));
            physical(e.source(), Math.max(1, e.line()), base).ifPresent(l -> n.withLocations(new LinkedHashSet<>(List.of(new Location().withPhysicalLocation(l)))));
            notifications.add(n);
        }
        Invocation invocation = new Invocation().withExecutionSuccessful(report.errors().isEmpty())
                .withToolExecutionNotifications(notifications);
        // Outcomes that are not results (passes after admission above all) stay visible in the run's summary.
        PropertyBag summary = new PropertyBag();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (ReportOutcome outcome : ReportOutcome.values()) {
            outcomes.put(outcome.label(), report.count(outcome));
        }
        summary.setAdditionalProperty("outcomes", outcomes);
        summary.setAdditionalProperty("passesAfterAdmission", report.objects().stream()
                .filter(o -> o.outcome() == ReportOutcome.PASSES_AFTER_ADMISSION).map(AuditedObject::id).toList());
        Run run = new Run().withTool(new Tool().withDriver(new ToolComponent().withName("rofs-guard").withVersion(version)
                        .withInformationUri(HELP_URI).withRules(rules)))
                .withOriginalUriBaseIds(new OriginalUriBaseIds().withAdditionalProperty(SRCROOT, new ArtifactLocation().withUri(directoryUri(base))))
                .withResults(results).withInvocations(List.of(invocation)).withProperties(summary);
        return new SarifSchema210().withVersion(SarifSchema210.Version._2_1_0)
                .with$schema(URI.create("https://json.schemastore.org/sarif-2.1.0.json")).withRuns(List.of(run));
    }

    private static Location location(String source, int line, AuditedObject o, Path base) {
        Location l = new Location().withLogicalLocations(new LinkedHashSet<>(List.of(new LogicalLocation()
                .withFullyQualifiedName(o.id()).withName(o.name()).withKind("object"))));
        physical(source, line, base).ifPresent(l::withPhysicalLocation);
        return l;
    }

    /** A file's location, relative to the root and percent-escaped; none for stdin and live objects. */
    private static Optional<PhysicalLocation> physical(String source, int line, Path base) {
        if (source.equals("-") || source.equals("cluster") || line < 1) {
            return Optional.empty();
        }
        Path file = Path.of(source).toAbsolutePath().normalize();
        ArtifactLocation artifact = file.startsWith(base)
                ? new ArtifactLocation().withUri(relativeUri(base.relativize(file))).withUriBaseId(SRCROOT)
                : new ArtifactLocation().withUri(file.toUri().toASCIIString());
        return Optional.of(new PhysicalLocation().withArtifactLocation(artifact).withRegion(new Region().withStartLine(line)));
    }

    /** {@code dir/my file.yaml} → {@code dir/my%20file.yaml}: a relative reference, every segment escaped. */
    static String relativeUri(Path relative) {
        StringBuilder s = new StringBuilder();
        for (Path segment : relative) {
            if (s.length() > 0) {
                s.append('/');
            }
            try {
                // The multi-argument constructor quotes what a path may not hold; toASCIIString() escapes non-ASCII too.
                String escaped = new URI(null, null, segment.toString(), null).toASCIIString();
                s.append(escaped.replace(":", "%3A"));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return s.toString();
    }

    private static String directoryUri(Path dir) {
        String uri = dir.toUri().toASCIIString();
        return uri.endsWith("/") ? uri : uri + "/";
    }
}
