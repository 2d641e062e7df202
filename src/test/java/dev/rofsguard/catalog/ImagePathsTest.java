package dev.rofsguard.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** One directory, one name: normalising agrees with the plain component-by-component rule, fast path or not. */
class ImagePathsTest {

    @Property(tries = 3000)
    void normaliseIsTheComponentRule(@ForAll("paths") String path) {
        String normal = ImagePaths.normalise(path);
        assertThat(normal).isEqualTo(byComponents(path));
        assertThat(ImagePaths.normalise(normal)).as("a clean path is its own form").isSameAs(normal);
    }

    @Test
    void examples() {
        assertThat(ImagePaths.normalise("//tmp")).isEqualTo("/tmp");
        assertThat(ImagePaths.normalise("/tmp/.")).isEqualTo("/tmp");
        assertThat(ImagePaths.normalise("/var/../tmp/")).isEqualTo("/tmp");
        assertThat(ImagePaths.normalise("/.hidden/a..b/...")).isEqualTo("/.hidden/a..b/...");
        assertThat(ImagePaths.normalise("/")).isEqualTo("/");
        assertThat(ImagePaths.canonical("/var/run/postgresql/.", Map.of("/var/run", "/run"))).isEqualTo("/run/postgresql");
    }

    /** The reference: split on slashes, drop empty and "." components, ".." drops the one before. */
    private static String byComponents(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> part = Arbitraries.of("", ".", "..", "...", "a", ".a", "a.", "..a", "bb", "c.d");
        return part.list().ofMinSize(0).ofMaxSize(6).flatMap(parts -> Arbitraries.of(true, false)
                .map(absolute -> (absolute ? "/" : "") + String.join("/", parts)))
                .filter(p -> !p.isEmpty())
                .injectDuplicates(0.0)
                .edgeCases(c -> c.add("/"));
    }
}
