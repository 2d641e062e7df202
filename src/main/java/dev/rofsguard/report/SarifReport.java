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
import dev.rofsguard.policy.Rules;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** SARIF 2.1.0 (types from java-sarif) for code-scanning upload: one result per finding, at the container's line. */
public final class SarifReport {

    private SarifReport() {
    }

    public static SarifSchema210 render(AuditReport report, String version) {
        Result.Level level = switch (report.mode()) {
            case ENFORCE -> Result.Level.ERROR;
            case WARN -> Result.Level.WARNING;
            case AUDIT -> Result.Level.NOTE;
        };
        java.util.Set<ContainerRule> used = new java.util.LinkedHashSet<>();
        report.findings().forEach(f -> used.add(f.rule()));
        if (used.isEmpty()) {
            used.addAll(Rules.DEFAULT);
        }
        java.util.Set<ReportingDescriptor> rules = new java.util.LinkedHashSet<>();
        for (ContainerRule r : used) {
            rules.add(new ReportingDescriptor().withId(r.qualifiedId()).withName(r.id())
                    .withShortDescription(new MultiformatMessageString().withText("Containers must not run " + r.title()))
                    .withFullDescription(new MultiformatMessageString().withText("Every container, init container and ephemeral "
                            + "container must " + r.shortFix() + "."))
                    .withHelp(new MultiformatMessageString().withText(r.help()))
                    .withDefaultConfiguration(new ReportingConfiguration().withLevel(ReportingConfiguration.Level.fromValue(level.value()))));
        }
        List<Result> results = new ArrayList<>();
        for (Finding f : report.findings()) {
            results.add(new Result().withRuleId(f.rule().qualifiedId()).withLevel(level)
                    .withMessage(new Message().withText(f.object() + ": " + f.containerKind() + " \"" + f.container() + "\" "
                            + f.problem() + ". Fix:\n" + f.fix()))
                    .withLocations(List.of(location(f.source(), f.containerLine()))));
        }
        List<Notification> notifications = new ArrayList<>();
        for (ManifestError e : report.errors()) {
            notifications.add(new Notification().withLevel(Notification.Level.ERROR).withMessage(new Message().withText(e.message()))
                    .withLocations(new java.util.LinkedHashSet<>(List.of(location(e.source(), Math.max(1, e.line()))))));
        }
        Invocation invocation = new Invocation().withExecutionSuccessful(report.errors().isEmpty())
                .withToolExecutionNotifications(notifications);
        Run run = new Run().withTool(new Tool().withDriver(new ToolComponent().withName("rofs-guard").withVersion(version)
                        .withInformationUri(URI.create("https://rofs-guard.dev")).withRules(rules)))
                .withResults(results).withInvocations(List.of(invocation));
        return new SarifSchema210().withVersion(SarifSchema210.Version._2_1_0)
                .with$schema(URI.create("https://json.schemastore.org/sarif-2.1.0.json")).withRuns(List.of(run));
    }

    private static Location location(String source, int line) {
        String uri = source.equals("-") ? "stdin" : source.replace('\\', '/');
        return new Location().withPhysicalLocation(new PhysicalLocation()
                .withArtifactLocation(new ArtifactLocation().withUri(uri)).withRegion(new Region().withStartLine(line)));
    }

}
