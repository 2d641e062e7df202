package dev.rofsguard.config;

/** A configuration file that cannot be used; the message names the file, the entry and the field. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
