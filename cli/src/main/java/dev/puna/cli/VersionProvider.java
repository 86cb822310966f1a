package dev.puna.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Reports Puna's version and the llama.cpp release the runtime is built on, as the build stamped them into
 * {@code dev/puna/cli/build.properties}: read from there rather than from {@code PunaVersion} and
 * {@code LlamaCpp}, so that {@code puna --version} loads neither the server nor the runtime.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/puna/cli/build.properties is missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = p.getProperty("version", "");
        String llama = p.getProperty("llama.cpp", "");
        // An unfiltered copy (an IDE that skips Maven's resource filtering) would report "${project.version}".
        if (version.isBlank() || version.contains("${") || llama.isBlank() || llama.contains("${")) {
            throw new IllegalStateException("dev/puna/cli/build.properties was not filtered by the build");
        }
        return new String[] {"puna " + version + " (llama.cpp " + llama + ")"};
    }
}
