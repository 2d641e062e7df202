package dev.rofsguard.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class VolumeNamesTest {

    /** The rule as a regular expression says it (what slug did before it became a loop on the admission path). */
    private static String slugByRegex(String s) {
        String lower = Pattern.compile("[^a-z0-9]+").matcher(s.toLowerCase(Locale.ROOT)).replaceAll("-");
        String trimmed = lower.replaceAll("^-+|-+$", "");
        return trimmed.isEmpty() ? "x" : trimmed;
    }

    @Provide
    Arbitrary<String> names() {
        // Container names and paths, and what a hostile pod can put there: dots, dashes, slashes, upper case,
        // non-ASCII letters (İ lower-cases to two chars), characters outside the BMP.
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcXYZ019-._/ ").ofMaxLength(20),
                Arbitraries.strings().withChars("aİßé-/\uD83D\uDE00").ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(16));
    }

    @Property(tries = 3000)
    void slugIsTheRegularExpressionsRule(@ForAll("names") String s) {
        assertThat(VolumeNames.slug(s)).isEqualTo(slugByRegex(s));
    }

    @Test
    void readableNamesWhereTheyFit() {
        VolumeNames names = new VolumeNames(new HashSet<>(Set.of("rofs-nginx-tmp")));
        assertThat(names.forPath("nginx", "/var/cache/nginx")).isEqualTo("rofs-nginx-var-cache-nginx");
        assertThat(names.forPath("Web.App", "//var/run/")).isEqualTo("rofs-web-app-var-run");
        assertThat(names.forPath("nginx", "/tmp")).startsWith("rofs-nginx-tmp-").hasSizeLessThanOrEqualTo(VolumeNames.MAX);
    }
}
