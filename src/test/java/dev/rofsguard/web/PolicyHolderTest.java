package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rofsguard.policy.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyHolderTest {

    private static PolicyHolder holder(Path file) {
        PolicyHolder h = new PolicyHolder();
        h.policyFile = Optional.of(file.toString());
        h.ownNamespace = Optional.of("rofs-guard");
        h.reloadInterval = Duration.ZERO; // the test drives reloads itself
        return h;
    }

    private static void write(Path file, String text, int secondsFromNow) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsFromNow)));
    }

    @Test
    void aBadFileAtStartStopsTheServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "mode: strict\n");
        assertThatThrownBy(() -> holder(file).load()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mode 'strict'");
    }

    @Test
    void aBadReloadKeepsTheLastGoodPolicy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        write(file, "mode: warn\n", 0);
        PolicyHolder h = holder(file);
        h.load();
        assertThat(h.current().config().defaultMode()).isEqualTo(Mode.WARN);

        write(file, "mode: [oops\n", 5);
        assertThat(h.reloadIfChanged()).isFalse();
        assertThat(h.current().config().defaultMode()).isEqualTo(Mode.WARN);

        write(file, "mode: audit\n", 10);
        assertThat(h.reloadIfChanged()).isTrue();
        assertThat(h.current().config().defaultMode()).isEqualTo(Mode.AUDIT);
        assertThat(h.current().config().policy().exemptNamespaces()).contains("rofs-guard");
        assertThat(h.reloadIfChanged()).isFalse(); // unchanged file: nothing to do
    }
}
