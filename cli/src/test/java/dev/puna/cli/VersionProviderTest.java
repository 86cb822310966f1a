package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.puna.http.PunaVersion;
import dev.puna.runtime.LlamaCpp;
import org.junit.jupiter.api.Test;

/** {@code puna --version}: the version Maven stamped and the llama.cpp release, as the root pom names them. */
class VersionProviderTest {
    @Test
    void theVersionLineCarriesTheBuildsVersions() {
        String puna = System.getProperty("puna.project.version");
        String llama = System.getProperty("puna.llama.cpp.version");
        assertNotNull(puna, "surefire passes puna.project.version");
        assertNotNull(llama, "surefire passes puna.llama.cpp.version");
        assertArrayEquals(new String[] {"puna " + puna + " (llama.cpp " + llama + ")"},
                new VersionProvider().getVersion());
    }

    /** The CLI reads its own stamped copy (to load neither); it must say what the server and runtime say. */
    @Test
    void theVersionLineAgreesWithTheServerAndTheRuntime() {
        assertArrayEquals(new String[] {"puna " + PunaVersion.current() + " (llama.cpp " + LlamaCpp.release() + ")"},
                new VersionProvider().getVersion());
    }
}
