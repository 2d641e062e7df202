package dev.rofsguard.heavy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Go load client (src/test/go/loadclient: a transport configured as client-go's), built with the machine's Go
 * into ~/.cache/rofs-guard/bin. Standard library only: no module download.
 */
final class LoadClient {

    private LoadClient() {
    }

    static Path binary() throws Exception {
        Path bin = Path.of(System.getProperty("user.home"), ".cache", "rofs-guard", "bin", "loadclient");
        Files.createDirectories(bin.getParent());
        String go = Files.isExecutable(Path.of("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : "go";
        ProcessBuilder pb = new ProcessBuilder(go, "build", "-o", bin.toString(), ".")
                .directory(Path.of("src/test/go/loadclient").toFile()).redirectErrorStream(true);
        pb.environment().put("GOFLAGS", "-mod=mod");
        pb.environment().put("GOPROXY", "off");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("go build of the load client failed (is Go installed?):\n" + out);
        }
        return bin;
    }

    static Process start(Path output, String... args) throws Exception {
        return start(output, 0, args);
    }

    /**
     * With a niceness above 0 the client yields the CPU to the server under test: on a shared 2-core machine the
     * flood then stands in for an API server on other nodes, instead of starving the server (and the probes) of CPU.
     */
    static Process start(Path output, int niceness, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (niceness > 0) {
            cmd.addAll(List.of("nice", "-n", String.valueOf(niceness)));
        }
        cmd.add(binary().toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(output.toFile()).redirectError(output.resolveSibling(output.getFileName() + ".err").toFile()).start();
    }

    static JsonNode result(Process client, Path output, long timeoutSeconds) throws Exception {
        if (!client.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new AssertionError("load client did not finish in " + timeoutSeconds + " s");
        }
        String text = Files.readString(output);
        if (client.exitValue() != 0 || text.isBlank()) {
            throw new AssertionError("load client failed: " + text + Files.readString(output.resolveSibling(output.getFileName() + ".err")));
        }
        return new ObjectMapper().readTree(text);
    }

    static void report(String name, String text) throws IOException {
        Path dir = Path.of("target", "heavy");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), text);
        System.out.println(text);
    }
}
