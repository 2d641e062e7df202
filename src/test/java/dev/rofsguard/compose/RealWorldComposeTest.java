package dev.rofsguard.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.report.AuditedObject;
import dev.rofsguard.report.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compose files in the shapes real projects write them (compose/real-world/: each names the public file whose shapes
 * it takes; written for these tests, not copied): each service's verdict, finding and note, and the fixed file, against
 * a golden file (update with {@code -Dgolden.update=true}, then read the diff). The fixed files also pass Debian's
 * {@code docker-compose config} in the containers profile (ComposeFixInPodman).
 */
public class RealWorldComposeTest {

    /** Every file in compose/real-world/ (ComposeFixInPodman reads the same list). */
    public static final List<String> FIXTURES = List.of("anchors", "interpolated", "env-list-networks", "duplicate-target", "already-read-only");

    static List<String> fixtures() {
        return FIXTURES;
    }
    private static final Judge JUDGE = Fixtures.engine("-");

    @ParameterizedTest
    @MethodSource("fixtures")
    void auditedAndFixedAsTheGoldenFileSays(String name) throws Exception {
        String resource = "compose/real-world/" + name + ".yaml";
        List<Document> docs = new ArrayList<>();
        List<ManifestError> errors = new ArrayList<>();
        ManifestReader.parse(resource, Files.readString(Fixtures.path(resource), StandardCharsets.UTF_8), docs, errors);
        assertThat(errors).isEmpty();
        assertThat(docs).singleElement().satisfies(d -> assertThat(ComposeService.isCompose(d.object())).isTrue());

        JsonNodeFactory n = JsonNodeFactory.instance;
        ObjectNode golden = n.objectNode();
        ArrayNode services = golden.putArray("services");
        for (AuditedObject o : Compose.audit(JUDGE, docs.get(0))) {
            ObjectNode s = services.addObject().put("name", o.name()).put("line", o.document().line())
                    .put("outcome", o.outcome().label()).put("reason", o.verdict().reason());
            ArrayNode notes = s.putArray("notes");
            o.allNotes().forEach(notes::add);
            ArrayNode findings = s.putArray("findings");
            for (Finding f : o.findings()) {
                ObjectNode j = findings.addObject().put("line", f.containerLine()).put("problem", f.problem())
                        .put("catalogEntry", f.catalogEntry());
                ArrayNode paths = j.putArray("paths");
                f.scratchPaths().forEach(paths::add);
            }
        }
        List<String> said = new ArrayList<>();
        golden.set("fixed", Compose.fix(JUDGE, docs.get(0), said));
        ArrayNode saidNode = golden.putArray("said");
        said.forEach(saidNode::add);
        // Through text and back, as the golden file is read: YAML's 10032 is a long here and an int there.
        var mapper = dev.rofsguard.admission.AdmissionReviews.mapper();
        Fixtures.assertGolden("compose/real-world/" + name + ".golden.json", mapper.readTree(mapper.writeValueAsString(golden)));
    }

    /** Guards the golden file against an update that loses merge keys again. */
    @Test
    void aServiceWhoseImageComesFromAnAnchorIsJudgedByThatImage() throws Exception {
        // From the source tree: the golden file as it is committed, not a copy on the class path.
        JsonNode golden = dev.rofsguard.admission.AdmissionReviews.mapper()
                .readTree(Files.readAllBytes(java.nio.file.Path.of("src/test/resources/compose/real-world/anchors.golden.json")));
        // web has only `<<: *web_defaults`: nginx from the anchor, so nginx's paths; web-canary overrides the image.
        assertThat(golden.at("/services/2/name").asText()).isEqualTo("web");
        assertThat(golden.at("/services/2/findings/0/catalogEntry").asText()).isEqualTo("nginx");
        assertThat(golden.at("/fixed/services/web/tmpfs").toString()).contains("/var/cache/nginx");
        assertThat(golden.at("/fixed/services/web-canary/read_only").asBoolean()).isTrue();
    }
}
