package dev.rofsguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rofsguard.Fixtures;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.Subject;
import dev.rofsguard.policy.Verdict;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The catalog's path types and conditions, through the mutating webhook then the validating one, as the API server
 * runs them: one row per scenario (a pod's one container as flow YAML, what gets mounted, the verdict in enforce).
 */
class CatalogSemanticsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Judge JUDGE = Fixtures.engine("catalog-semantics.yaml");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # scenario                          | container (flow YAML) + extra pod volumes                                                                                  | mounts added (paths)        | allowed | says
            data path unmounted: left alone     | {name: kv, image: example.com/kv}                                                                                          | -                           | false   | keeps data at /data
            data path on a claim: hardened      | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /data}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | /tmp                 | true    | -
            data moved by --dir, claim there    | {name: kv, image: example.com/kv, args: [--dir, /srv/kv], volumeMounts: [{name: d, mountPath: /srv/kv}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | /tmp | true | -
            data moved by --dir=, nothing there | {name: kv, image: example.com/kv, args: ["--dir=/srv/kv"], volumeMounts: [{name: d, mountPath: /data}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | - | false | keeps data at /srv/kv (moved by --dir)
            data on a configMap does not count  | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /data}]} ;; {name: d, configMap: {name: d}}          | -                           | false   | keeps data at /data
            data on a read-only mount           | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /data, readOnly: true}]} ;; {name: d, emptyDir: {}}   | -                           | false   | keeps data at /data
            data on a subPath mount             | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /data, subPath: x}]} ;; {name: d, emptyDir: {}}      | -                           | false   | keeps data at /data
            data covered from above             | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /}]} ;; {name: d, emptyDir: {}}                      | -                           | true    | -
            scratch under a shared /run mount   | {name: pg, image: "example.com/pg:16", volumeMounts: [{name: s, mountPath: /run/pg}, {name: d, mountPath: /var/lib/pg/data}]} ;; {name: s, emptyDir: {}} ;; {name: d, persistentVolumeClaim: {claimName: d}} | - | true | -
            PGDATA moved below the claim        | {name: pg, image: "example.com/pg:16", env: [{name: PGDATA, value: /var/lib/pg/data/pgdata}], volumeMounts: [{name: d, mountPath: /var/lib/pg/data}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | /var/run/pg | true | -
            PGDATA from a secret: unknown       | {name: pg, image: "example.com/pg:16", env: [{name: PGDATA, valueFrom: {secretKeyRef: {name: s, key: k}}}]}                | -                           | false   | PGDATA is set from a reference
            18 with a claim at the old path     | {name: pg, image: "example.com/pg:18", volumeMounts: [{name: d, mountPath: /var/lib/pg/data}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | -     | false   | breaks this image version
            18 with the old path and PGDATA in it | {name: pg, image: "example.com/pg:18", env: [{name: PGDATA, value: /var/lib/pg/data/pgdata}], volumeMounts: [{name: d, mountPath: /var/lib/pg/data}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | /var/run/pg | true | -
            data needs a mount at or above it   | {name: pg, image: "example.com/pg:18", volumeMounts: [{name: d, mountPath: /var/lib/pg/18}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | - | false | keeps data at /var/lib/pg
            18 with a claim at the new path     | {name: pg, image: "example.com/pg:18", volumeMounts: [{name: d, mountPath: /var/lib/pg}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} | /var/run/pg | true    | -
            //tmp and /tmp/. are /tmp            | {name: kv, image: example.com/kv, volumeMounts: [{name: d, mountPath: /data}, {name: t, mountPath: //tmp/.}]} ;; {name: d, persistentVolumeClaim: {claimName: d}} ;; {name: t, emptyDir: {}} | - | true | -
            seeded: emptyDir plus seed          | {name: web, image: example.com/web}                                                                                        | /var/cache/web,/etc/web/state | true  | -
            seeded conf.d only with templates   | {name: web, image: example.com/web, volumeMounts: [{name: t, mountPath: /etc/web/templates}]} ;; {name: t, configMap: {name: t}} | /var/cache/web,/etc/web/conf.d,/etc/web/state | true | -
            seeded conf.d moved by env          | {name: web, image: example.com/web, env: [{name: WEB_OUTPUT_DIR, value: /etc/web/out}], volumeMounts: [{name: t, mountPath: /etc/web/templates}]} ;; {name: t, configMap: {name: t}} | /var/cache/web,/etc/web/out,/etc/web/state | true | -
            no shell: cannot be seeded          | {name: static, image: example.com/static}                                                                                  | -                           | false   | no shell
            """)
    void mutateThenValidate(String scenario, String container, String mounted, boolean allowed, String says) throws Exception {
        String[] parts = container.split(";;");
        StringBuilder pod = new StringBuilder("{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: shop}, spec: {containers: [")
                .append(parts[0].trim()).append("]");
        if (parts.length > 1) {
            pod.append(", volumes: [");
            for (int i = 1; i < parts.length; i++) {
                pod.append(i == 1 ? "" : ", ").append(parts[i].trim());
            }
            pod.append("]");
        }
        JsonNode object = YAML.readTree(pod.append("}}").toString());

        Plan plan = JUDGE.mutation(Subject.create("", "Pod", "shop", object));
        JsonNode patched = plan.isEmpty() ? object : JsonPatch.apply(plan.jsonPatch(), object);
        List<String> added = new ArrayList<>();
        plan.changes().values().forEach(c -> added.addAll(c.mounted()));
        assertThat(added).as(scenario + " " + plan.warnings() + " " + plan.skipped()).containsExactlyElementsOf("-".equals(mounted) ? List.of() : List.of(mounted.split(",")));

        plan.changes().values().stream().filter(c -> c.seed() != null).forEach(change -> {
            JsonNode seed = patched.at("/spec/initContainers/0");
            assertThat(seed.path("name").asText()).as("the seed runs first").isEqualTo(change.seed());
            assertThat(seed.path("image").asText()).isEqualTo(object.at("/spec/containers/0/image").asText());
            assertThat(seed.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(seed.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(seed.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
            change.mounts().stream().filter(m -> m.path().startsWith("/etc/")).forEach(m ->
                    assertThat(seed.at("/command/2").asText()).contains("cp -R '" + m.path() + "/.'"));
        });
        Verdict verdict = JUDGE.judge(Subject.create("", "Pod", "shop", patched), Origin.admission(true)).verdict();
        Decision decision = Decision.decide(verdict, Mode.ENFORCE, JUDGE.config().policy());
        assertThat(decision.allowed()).as(scenario + ": " + decision.message()).isEqualTo(allowed);
        if (!"-".equals(says)) {
            assertThat(decision.message()).contains(says);
            assertThat(String.join("\n", plan.warnings())).contains(says);
        }
        assertValid(patched);
        assertThat(JUDGE.mutation(Subject.create("", "Pod", "shop", patched)).ops()).as(scenario + ": idempotent").isEmpty();

        // A workload with the same template: judged counting on the same plan, never re-deciding it.
        com.fasterxml.jackson.databind.node.ObjectNode deployment = (com.fasterxml.jackson.databind.node.ObjectNode)
                YAML.readTree("{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: shop}}");
        deployment.putObject("spec").putObject("template").set("spec", object.path("spec").deepCopy());
        Verdict workload = JUDGE.judge(Subject.of(deployment, "shop"), Origin.admission(true)).verdict();
        assertThat(workload.outcome() == Outcome.PASS).as(scenario + " (Deployment): " + workload.reason()).isEqualTo(allowed);
    }

    @org.junit.jupiter.api.Test
    void aBadImageReferenceIsSaidNotPassedOver() throws Exception {
        JsonNode pod = YAML.readTree("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: ["
                + "{name: a, image: 'NGINX:1.27', securityContext: {readOnlyRootFilesystem: true}}]}}");
        Verdict verdict = JUDGE.judge(Subject.create("", "Pod", "shop", pod), Origin.manifest(true)).verdict();
        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.notes()).anySatisfy(n -> assertThat(n).contains("\"NGINX:1.27\" is not a valid image reference"));
        Decision warn = Decision.decide(verdict, Mode.WARN, JUDGE.config().policy());
        assertThat(warn.warnings()).anySatisfy(w -> assertThat(w).contains("is not a valid image reference"));
    }

    /** As the API server checks a pod: unique container and volume names, unique mount paths, every mount backed. */
    static void assertValid(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        Set<String> volumes = new HashSet<>();
        spec.path("volumes").forEach(v -> assertThat(volumes.add(v.path("name").asText())).isTrue());
        Set<String> names = new HashSet<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                assertThat(names.add(c.path("name").asText())).as("unique container " + c.path("name")).isTrue();
                Set<String> paths = new HashSet<>();
                for (JsonNode m : c.path("volumeMounts")) {
                    assertThat(paths.add(m.path("mountPath").asText())).isTrue();
                    assertThat(volumes).contains(m.path("name").asText());
                }
            }
        }
    }
}
