package dev.rofsguard.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.report.AuditedObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Compose services through the one judge; --fix renders the plan as read_only and tmpfs entries. */
class ComposeTest {

    private static final Judge JUDGE = Fixtures.engine("-");

    static Document read(String resource) throws Exception {
        List<Document> docs = new ArrayList<>();
        List<ManifestError> errors = new ArrayList<>();
        ManifestReader.parse(resource, Files.readString(Fixtures.path(resource), StandardCharsets.UTF_8), docs, errors);
        assertThat(errors).isEmpty();
        assertThat(ComposeService.isCompose(docs.get(0).object())).isTrue();
        return docs.get(0);
    }

    @Test
    void eachServiceIsJudgedWithItsLine() throws Exception {
        List<AuditedObject> objects = Compose.audit(JUDGE, read("compose/shop.yaml"));
        assertThat(objects).extracting(AuditedObject::name).containsExactly("web", "cache", "db", "queue", "worker");
        assertThat(objects).extracting(o -> o.verdict().outcome())
                .containsExactly(Outcome.FAIL, Outcome.FAIL, Outcome.FAIL, Outcome.FAIL, Outcome.PASS);
        assertThat(objects.get(0).findings()).singleElement().satisfies(f -> {
            assertThat(f.containerLine()).isEqualTo(4); // the service's first line
            assertThat(f.fix()).contains("/var/cache/nginx");
        });
        // Nothing at redis' /data: the finding says why the catalog cannot help.
        assertThat(objects.get(3).findings().get(0).problem()).contains("keeps data at /data");
    }

    @Test
    void fixWritesReadOnlyAndTmpfsButNeverOnData() throws Exception {
        List<String> said = new ArrayList<>();
        JsonNode fixed = Compose.fix(JUDGE, read("compose/shop.yaml"), said);
        assertThat(fixed.at("/services/web/read_only").asBoolean()).isTrue();
        assertThat(fixed.at("/services/web/tmpfs").toString()).contains("/var/cache/nginx:rw,noexec,nosuid,size=134217728")
                .contains("/var/run:rw,noexec,nosuid,size=8388608");
        assertThat(fixed.at("/services/db/read_only").asBoolean()).isTrue();
        assertThat(fixed.at("/services/cache/read_only").asBoolean()).isTrue();
        assertThat(fixed.at("/services/queue").has("read_only")).isFalse();
        assertThat(said).singleElement().satisfies(s -> assertThat(s).contains("service queue").contains("/data"));
        assertThat(fixed.at("/services/worker/tmpfs").toString()).isEqualTo("[\"/tmp\"]");
        // Fixed, every service the catalog could help passes.
        Document again = new Document("fixed", 1, fixed, java.util.Map.of());
        assertThat(Compose.audit(JUDGE, again)).filteredOn(o -> !o.name().equals("queue"))
                .allSatisfy(o -> assertThat(o.verdict().outcome()).isEqualTo(Outcome.PASS));
    }
}
