package dev.rofsguard.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.catalog.ImagePaths;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.policy.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesResourceUtil;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Over generated pods: the patch always applies and yields a pod the API server accepts; a second pass is empty. */
class PatchPropertiesTest {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    private static final Judge ENGINE = Fixtures.engine("debug-volume.yaml");
    private static final List<String> IMAGES = List.of("nginx", "nginx:1.27-alpine", "mirror.gcr.io/library/nginx",
            "postgres:17", "postgres:18", "node:22", "python:3.13", "httpd:2.4", "memcached", "ghcr.io/acme/api:1",
            "NOT/A/REFERENCE", "mysql:8.4", "mongo:8");
    private static final List<String> PATHS = List.of("/tmp", "/tmp/", "//tmp", "/tmp/.", "/var/run", "/run", "/run/postgresql",
            "/var/run/postgresql", "/run/mysqld", "/var/cache/nginx", "/data", "/x", "/var/lib/postgresql", "/var/lib/postgresql/data");
    private static final List<String> VOLUME_NAMES = List.of("rofs-nginx-tmp", "rofs-c-tmp", "data", "rofs-a-b-var-run",
            "rofs-guard-debug-tmp", "tmp", "rofs-x-tmp");

    @Property(tries = 3000)
    void patchAppliesAndTheResultIsValid(@ForAll("pods") ObjectNode pod) throws Exception {
        Plan plan = ENGINE.mutation(Subject.create("", "Pod", "shop", pod));
        JsonNode patched = JsonPatch.apply(plan.jsonPatch(), pod);
        // The judge's in-memory application of the plan is the API server's application of the patch.
        JsonNode request = pod.deepCopy();
        assertThat(plan.applyTo(pod)).isEqualTo(patched);
        assertThat(pod).as("applyTo leaves the request as it was").isEqualTo(request);

        JsonNode spec = patched.path("spec");
        Set<String> volumes = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            String name = v.path("name").asText();
            assertThat(volumes.add(name)).as("unique volume name " + name).isTrue();
            assertThat(name).hasSizeLessThanOrEqualTo(63).matches(KubernetesResourceUtil::isValidName);
        }
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) {
                Set<String> mountPaths = new HashSet<>();
                for (JsonNode m : c.path("volumeMounts")) {
                    assertThat(mountPaths.add(ImagePaths.normalise(m.path("mountPath").asText())))
                            .as("unique mountPath in " + c.path("name")).isTrue();
                    assertThat(volumes).as("mount refers to a volume").contains(m.path("name").asText());
                }
            }
        }
        assertThat(ENGINE.mutation(Subject.create("", "Pod", "shop", patched)).ops()).as("second mutation").isEmpty();

        // No directory mounted twice: what the plan adds is never at, above or below another mount of the container
        // (after normalisation and /var/run -> /run, a symlink in every image of the catalog here).
        for (String list : List.of("containers", "initContainers")) {
            for (int i = 0; i < patched.path("spec").path(list).size(); i++) {
                JsonNode c = patched.path("spec").path(list).get(i);
                int before = pod.path("spec").path(list).path(i).path("volumeMounts").size();
                List<String> added = new java.util.ArrayList<>();
                List<String> all = new java.util.ArrayList<>();
                for (JsonNode m : c.path("volumeMounts")) {
                    String canonical = canonical(m.path("mountPath").asText());
                    if (all.size() >= before) {
                        added.add(canonical);
                    }
                    all.add(canonical);
                }
                for (String a : added) {
                    assertThat(all.stream().filter(o -> o.equals(a) || a.startsWith(o.equals("/") ? "/" : o + "/")).count())
                            .as(c.path("name") + ": " + a + " among " + all).isEqualTo(1);
                }
            }
        }

        // The warning a workload gets comes from the same plan: its template's plan is the pod's, change for change.
        ObjectNode deployment = N.objectNode().put("apiVersion", "apps/v1").put("kind", "Deployment");
        deployment.putObject("metadata").put("name", "d");
        deployment.putObject("spec").putObject("template").set("spec", pod.path("spec").deepCopy());
        dev.rofsguard.engine.Judgement workload = ENGINE.judge(Subject.of(deployment, "shop"), dev.rofsguard.engine.Origin.admission(true));
        assertThat(workload.plan().changes()).isEqualTo(plan.changes());
        assertThat(workload.plan().blocked()).isEqualTo(plan.blocked());
    }

    private static String canonical(String path) {
        String p = ImagePaths.normalise(path);
        return p.equals("/var/run") ? "/run" : p.startsWith("/var/run/") ? p.substring(4) : p;
    }

    @Provide
    Arbitrary<ObjectNode> pods() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcxyz019-.").ofMinLength(1).ofMaxLength(70)
                        .filter(s -> Character.isLetterOrDigit(s.charAt(0)) && Character.isLetterOrDigit(s.charAt(s.length() - 1))),
                Arbitraries.of("nginx", "a.b", "a-b", "c", "x"));
        Arbitrary<List<String>> containerNames = names.list().ofMinSize(1).ofMaxSize(5).uniqueElements();
        Arbitrary<List<String>> volumeNames = Arbitraries.of(VOLUME_NAMES).list().ofMaxSize(4).uniqueElements();
        return Combinators.combine(containerNames, volumeNames, Arbitraries.integers().between(0, 3),
                Arbitraries.randoms(), Arbitraries.of(true, false)).as((cs, vs, initCount, random, annotations) -> {
            ObjectNode pod = N.objectNode().put("apiVersion", "v1").put("kind", "Pod");
            ObjectNode meta = pod.putObject("metadata").put("generateName", "p-");
            if (annotations) {
                meta.putObject("annotations").put("a/b~c", "x");
            }
            ObjectNode spec = pod.putObject("spec");
            if (!vs.isEmpty() || random.nextBoolean()) {
                ArrayNode volumes = spec.putArray("volumes");
                for (String v : vs) {
                    ObjectNode volume = volumes.addObject().put("name", v);
                    switch (random.nextInt(3)) {
                        case 0 -> volume.putObject("configMap").put("name", v);
                        case 1 -> volume.putObject("persistentVolumeClaim").put("claimName", v);
                        default -> volume.putObject("emptyDir");
                    }
                }
            }
            ArrayNode containers = spec.putArray("containers");
            ArrayNode inits = N.arrayNode();
            for (int i = 0; i < cs.size(); i++) {
                ObjectNode c = (i < initCount && i < cs.size() - 1 ? inits : containers).addObject();
                c.put("name", cs.get(i)).put("image", IMAGES.get(random.nextInt(IMAGES.size())));
                switch (random.nextInt(4)) {
                    case 0 -> { }
                    case 1 -> c.putObject("securityContext");
                    case 2 -> c.putObject("securityContext").put("readOnlyRootFilesystem", true);
                    default -> c.putObject("securityContext").put("readOnlyRootFilesystem", false);
                }
                if (!vs.isEmpty() && random.nextBoolean()) {
                    ArrayNode mounts = c.putArray("volumeMounts");
                    Set<String> used = new HashSet<>();
                    for (int m = random.nextInt(3); m >= 0; m--) {
                        String path = PATHS.get(random.nextInt(PATHS.size()));
                        if (used.add(canonical(path))) {
                            ObjectNode mount = mounts.addObject().put("name", vs.get(random.nextInt(vs.size()))).put("mountPath", path);
                            if (random.nextInt(4) == 0) {
                                mount.put("readOnly", true);
                            }
                        }
                    }
                }
            }
            if (!inits.isEmpty()) {
                spec.set("initContainers", inits);
            }
            return pod;
        });
    }
}
