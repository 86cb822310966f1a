package dev.puna.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Puna's version as the build stamped it ({@code ${project.version}} filtered into
 * {@code dev/puna/http/build.properties}): what {@code GET /api/version} and {@code puna --version} report.
 */
public final class PunaVersion {
    private static final String VERSION = load();

    private PunaVersion() {
    }

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = PunaVersion.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/puna/http/build.properties is missing from the class path");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            // An unfiltered copy (an IDE that skips Maven's resource filtering) would report "${project.version}".
            if (v.isBlank() || v.contains("${")) {
                throw new IllegalStateException("dev/puna/http/build.properties was not filtered by the build: '"
                        + v + "'");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
