package dev.rofsguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command of README.md in a block marked {@code <!-- test -->} runs as written, from the repository root,
 * with {@code rofs-guard} being the packaged jar; a trailing {@code # exit N} is the exit code it must give (else 0).
 * Commands that need a cluster (kubectl, helm) are run only where they work offline ({@code kubectl kustomize}).
 */
class ReadmeExamplesIT {

    private static final Pattern EXIT = Pattern.compile("#\\s*exit (\\d+)");

    record Example(int line, String command, int exit) {
        @Override
        public String toString() {
            return "README.md:" + line + ": " + command;
        }
    }

    static Stream<Example> examples() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).trim().equals("<!-- test -->")) {
                continue;
            }
            assertThat(lines.get(i + 1)).as("README.md:" + (i + 2) + " opens a sh block").isEqualTo("```sh");
            for (int j = i + 2; !lines.get(j).equals("```"); j++) {
                String line = lines.get(j);
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = EXIT.matcher(line);
                examples.add(new Example(j + 1, line, m.find() ? Integer.parseInt(m.group(1)) : 0));
            }
        }
        assertThat(examples).as("README examples").hasSizeGreaterThan(5);
        return examples.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void runsAsWritten(Example example) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "set -o pipefail\nrofs-guard() { '" + java + "' -jar target/quarkus-app/quarkus-run.jar \"$@\"; }\n"
                + example.command() + "\n";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(example + "\n" + out).isEqualTo(example.exit());
        assertThat(out).as(example.toString()).doesNotContain("Exception", "\tat ");
    }
}
