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

    @Test
    void anEmptyOrCommentOnlyReloadKeepsTheLastGoodPolicy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        write(file, "mode: warn\n", 0);
        PolicyHolder h = holder(file);
        h.load();
        for (String empty : new String[] {"", "# mode: audit\n# nothing else\n", "---\n", "\n\n"}) {
            write(file, empty, 0);
            assertThat(h.reloadIfChanged()).as("%s", empty).isFalse();
            assertThat(h.current().config().defaultMode()).isEqualTo(Mode.WARN);
        }
    }

    @Test
    void anEmptyFileAtStartStopsTheServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "# all commented out\n");
        assertThatThrownBy(() -> holder(file).load()).isInstanceOf(IllegalStateException.class).hasMessageContaining("is empty");
    }

    /** A ConfigMap update swaps a symlink; the file seen may keep its mtime. Content decides. */
    @Test
    void aChangeWithTheSameModificationTimeIsReloaded(@TempDir Path dir) throws Exception {
        Path v1 = dir.resolve("..v1");
        Path v2 = dir.resolve("..v2");
        Files.createDirectories(v1);
        Files.createDirectories(v2);
        Instant mtime = Instant.parse("2026-01-01T00:00:00Z");
        Files.writeString(v1.resolve("policy.yaml"), "mode: warn\n");
        Files.writeString(v2.resolve("policy.yaml"), "mode: audit\n");
        Files.setLastModifiedTime(v1.resolve("policy.yaml"), FileTime.from(mtime));
        Files.setLastModifiedTime(v2.resolve("policy.yaml"), FileTime.from(mtime));
        Path data = dir.resolve("..data");
        Files.createSymbolicLink(data, v1.getFileName());
        Path file = dir.resolve("policy.yaml");
        Files.createSymbolicLink(file, Path.of("..data", "policy.yaml"));
        PolicyHolder h = holder(file);
        h.load();
        assertThat(h.current().config().defaultMode()).isEqualTo(Mode.WARN);

        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, v2.getFileName());
        Files.move(tmp, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(FileTime.from(mtime));
        assertThat(h.reloadIfChanged()).isTrue();
        assertThat(h.current().config().defaultMode()).isEqualTo(Mode.AUDIT);
    }
}
