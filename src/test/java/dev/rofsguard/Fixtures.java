package dev.rofsguard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.ConfigException;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.Judge;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test fixtures from src/test/resources. */
public final class Fixtures {

    private Fixtures() {
    }

    public static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] review(String name) {
        return bytes("admission/" + name);
    }

    public static JsonNode json(String resource) {
        try {
            return AdmissionReviews.mapper().readTree(bytes(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path path(String resource) {
        try {
            return Path.of(Fixtures.class.getResource("/" + resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A golden file under src/test/resources: compared as JSON; rewritten instead with {@code -Dgolden.update=true}
     * (then review the diff).
     */
    public static void assertGolden(String resource, JsonNode actual) throws IOException {
        Path source = Path.of("src/test/resources", resource);
        if (Boolean.getBoolean("golden.update")) {
            java.nio.file.Files.writeString(source, AdmissionReviews.toPrettyString(actual) + "\n");
            return;
        }
        org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.exists(source))
                .as("golden file " + source + " (run with -Dgolden.update=true)").isTrue();
        org.assertj.core.api.Assertions.assertThat(actual).as(resource)
                .isEqualTo(AdmissionReviews.mapper().readTree(java.nio.file.Files.readAllBytes(source)));
    }

    /** The engine with the defaults, or with policy/{name} over them ("-" for none). */
    public static Judge engine(String policy) {
        try {
            return new Judge(PolicyLoader.load("-".equals(policy) ? null : path("policy/" + policy), null));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
