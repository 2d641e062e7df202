package dev.rofsguard.manifest;

/** A document or file that could not be read; the audit reports it and goes on. */
public record ManifestError(String source, int line, String message) {
}
