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

    /** The engine with the defaults, or with policy/{name} over them ("-" for none). */
    public static Judge engine(String policy) {
        try {
            return new Judge(PolicyLoader.load("-".equals(policy) ? null : path("policy/" + policy), null));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
