package dev.rofsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Run flags rendered from the plan: scratch as tmpfs, data on named volumes, seeded paths filled from the image. */
class FlagsCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cmd = Cli.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }

    @Test
    void dockerGetsTmpfsForScratchAndNamedVolumesForDataAndSeeds() {
        String[] r = run("flags", "zookeeper:3.9");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).startsWith("--read-only ").contains("--tmpfs /logs:rw,noexec,nosuid,size=")
                .contains("-v zookeeper-data:/data").contains("-v zookeeper-datalog:/datalog")
                .contains(":/conf").doesNotContain("--tmpfs /conf");
    }

    @Test
    void podmanCopiesSeededContentIntoItsTmpfsAndWritesNothingElse() {
        String[] r = run("flags", "--format", "podman", "zookeeper:3.9");
        assertThat(r[1]).contains("--read-only-tmpfs=false --image-volume=ignore")
                .containsPattern("--tmpfs /conf:rw,nosuid,size=\\d+,tmpcopyup");
    }

    @Test
    void anUnknownImageSaysHowToFindItsPaths() {
        String[] r = run("flags", "ghcr.io/acme/api:1");
        assertThat(r[0]).isEqualTo("3");
        assertThat(r[2]).contains("discover --run");
    }
}
