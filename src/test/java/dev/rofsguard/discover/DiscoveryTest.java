package dev.rofsguard.discover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.rofsguard.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

    private static String text(String file) {
        return new String(Fixtures.bytes("discover/" + file), StandardCharsets.UTF_8);
    }

    private static List<Discovery.Proposal> propose(String file) {
        return Discovery.propose(text(file));
    }

    @Test
    void dockerDiffOfNginxGivesItsScratchPathsAndRefusesTheShippedConfD() {
        Discovery.Result r = Discovery.propose(text("nginx-docker-diff.txt"), Discovery.Context.NONE);
        assertThat(r.proposals()).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(tuple("/run", "scratch"), tuple("/var/cache/nginx", "scratch"));
        // default.conf was changed in place: the image ships it, an emptyDir at conf.d would hide it.
        assertThat(r.refusals()).extracting(Discovery.Refusal::path).containsExactly("/etc/nginx/conf.d");
        assertThat(r.refusals().get(0).evidence()).contains("C /etc/nginx/conf.d/default.conf");
    }

    @Test
    void postgresLogsGiveTheSocketDirAndTheDataDir() {
        assertThat(propose("postgres-logs.txt")).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(tuple("/var/lib/postgresql", "data"), tuple("/var/run", "scratch"));
    }

    @Test
    void aCatalogPathThatCoversTheWriteIsPreferred() {
        Discovery.Context ctx = new Discovery.Context(null, Set.of(), List.of(
                new Discovery.KnownPath("/var/run/postgresql", "scratch", "postgres"),
                new Discovery.KnownPath("/var/lib/postgresql/data", "data", "postgres"),
                new Discovery.KnownPath("/var/run", "scratch", "nginx")));
        Discovery.Result r = Discovery.propose(text("postgres-logs.txt"), ctx);
        assertThat(r.proposals()).extracting(Discovery.Proposal::path, Discovery.Proposal::type, Discovery.Proposal::knownFrom)
                .containsExactly(tuple("/var/lib/postgresql/data", "data", "postgres"), tuple("/var/run/postgresql", "scratch", "postgres"));
    }

    @Test
    void nginxNodeAndJvmPhrasingsAreRecognised() {
        assertThat(propose("mixed-logs.txt")).extracting(Discovery.Proposal::path)
                .containsExactly("/app/.next/cache/images", "/tmp", "/var/cache/nginx");
    }

    @Test
    void pythonGoAndRedisPhrasingsAreRecognised() {
        assertThat(Discovery.erofsPaths(String.join("\n",
                "OSError: [Errno 30] Read-only file system: '/app/instance/uploads'",
                "panic: open /var/lib/app/state.db: read-only file system",
                "1:M 20 Nov 2026 09:14:03.123 # Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Read-only file system",
                "level=error msg=\"mkdir /var/cache/app: read-only file system\"",
                "nothing here")))
                .containsExactly("/app/instance/uploads", "/var/lib/app/state.db", "/data/temp-1.rdb", "/var/cache/app");
    }

    @Test
    void aFileIsNeverAMountPathAndADatabaseFileMakesData() {
        Discovery.Result r = Discovery.propose("A /var/log/app.log\nA /opt/app/state/app.sqlite3\n", Discovery.Context.NONE);
        assertThat(r.proposals()).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(tuple("/opt/app/state", "data"), tuple("/var/log", "scratch"));
    }

    @Test
    void withTheImageKnownShippedFilesAreNeverHiddenAndVolumesAreData() {
        ImageFiles image = new ImageFiles(Map.of(
                "/var/log", ImageFiles.Kind.DIRECTORY, "/var/log/dpkg.log", ImageFiles.Kind.FILE,
                "/var/log/nginx", ImageFiles.Kind.DIRECTORY,
                "/etc", ImageFiles.Kind.DIRECTORY, "/data", ImageFiles.Kind.DIRECTORY));
        Discovery.Context ctx = new Discovery.Context(image, Set.of("/data"), List.of());
        Discovery.Result r = Discovery.propose(String.join("\n", "C /etc", "A /var/log/app.log",
                "A /var/log/nginx/error.log", "A /data/dump.rdb.tmp", "A /etc/hosts"), ctx);
        assertThat(r.proposals()).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(tuple("/data", "data"), tuple("/var/log/nginx", "scratch"));
        assertThat(r.refusals()).extracting(Discovery.Refusal::path).containsExactly("/var/log");
        assertThat(r.refusals().get(0).reason()).contains("/var/log/dpkg.log");
    }

    @Test
    void rendersAnEntryASnippetAndRunFlags() {
        Discovery.Result r = Discovery.propose(text("postgres-logs.txt"), Discovery.Context.NONE);
        String out = DiscoveryReport.render("web", "ghcr.io/acme/web:1.2", r, "test");
        assertThat(out).contains("images: [\"ghcr.io/acme/web\"]").contains("{path: /var/lib/postgresql, type: data")
                .contains("readOnlyRootFilesystem: true").contains("persistentVolumeClaim").contains("emptyDir: {sizeLimit: 128Mi}")
                .contains("#   /var/run <- 2026-11-20 09:14:03.123 UTC [1] FATAL:")
                .contains("--read-only -v web-postgresql:/var/lib/postgresql --tmpfs /var/run:rw,noexec,nosuid,size=128m")
                .contains("--read-only --read-only-tmpfs=false");
    }

    @Test
    void readsATarListing() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "./", '5');
        entry(tar, "./etc/", '5');
        entry(tar, "./etc/nginx.conf", '0');
        entry(tar, "./var/run", '2');
        tar.write(new byte[1024]);
        ImageFiles files = ImageFiles.fromTar(new java.io.ByteArrayInputStream(tar.toByteArray()));
        assertThat(files.isDirectory("/etc")).isTrue();
        assertThat(files.shippedBelow("/etc", 5)).containsExactly("/etc/nginx.conf");
        assertThat(files.contains("/var/run")).isTrue();
        assertThat(files.size()).isEqualTo(3);
    }

    private static void entry(ByteArrayOutputStream tar, String name, char type) throws IOException {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, n.length);
        byte[] size = "00000000000\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, h, 124, size.length);
        h[156] = (byte) type;
        tar.write(h);
    }
}
