package dev.rofsguard.cli;

import dev.rofsguard.policy.Mode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What every command reads the same way: a file or stdin, and the --mode option. */
final class Inputs {

    private Inputs() {
    }

    /** The bytes of a file, or of stdin for {@code -}; empty (with the reason on stderr) when unreadable. */
    static Optional<byte[]> read(String command, String input, PrintWriter err) {
        try {
            return Optional.of(input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input)));
        } catch (java.nio.file.NoSuchFileException e) {
            err.println(command + ": cannot read " + input + ": no such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            err.println(command + ": cannot read " + input + ": permission denied");
        } catch (IOException e) {
            err.println(command + ": cannot read " + input + ": " + e);
        }
        return Optional.empty();
    }

    static Optional<String> readText(String command, String input, PrintWriter err) {
        return read(command, input, err).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Converts --mode; picocli reports a bad value as a usage error (exit 2). */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return Mode.parse(value).orElseThrow(() ->
                    new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of enforce, warn, audit"));
        }
    }
}
