package io.ttv.pipeline.core.config;

/** An invalid configuration value; the message names the variable and says what is allowed. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
