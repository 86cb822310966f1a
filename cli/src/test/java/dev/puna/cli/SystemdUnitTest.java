package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contrib/systemd/puna.service}: {@code systemd-analyze verify} accepts it without a warning, and it has the
 * hardening and settings the README promises. systemd-analyze must be installed ({@code scripts/test-deps.sh}
 * installs Debian's {@code systemd} package); without it this test fails, it does not skip.
 */
@Timeout(120)
class SystemdUnitTest {
    private static final Path CONTRIB = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().getParent().resolve("contrib/systemd");

    @TempDir
    Path dir;

    /** Every {@code Key=value} of the unit, in order, per key (comments and section headers left out). */
    private static Map<String, List<String>> directives() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(CONTRIB.resolve("puna.service"))) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) {
                continue;
            }
            int eq = line.indexOf('=');
            out.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return out;
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitWithoutAWord() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            fail("systemd-analyze is not installed (apt-get install systemd; ./run-tests does it through "
                    + "scripts/test-deps.sh)");
        }
        // verify checks that ExecStart's program exists: the unit runs the launcher at its install path, so the
        // copy verified here runs the same launcher from where the test put it.
        Path bin = Files.createDirectories(dir.resolve("opt/puna/bin"));
        Path launcher = Files.copy(CONTRIB.resolve("puna"), bin.resolve("puna"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String unit = Files.readString(CONTRIB.resolve("puna.service"));
        assertTrue(unit.contains("\nExecStart=/opt/puna/bin/puna serve\n"), unit);
        Path copy = dir.resolve("puna.service");
        Files.writeString(copy, unit.replace("\nExecStart=/opt/puna/bin/puna ", "\nExecStart=" + launcher + " "));
        Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("", output);
        assertEquals(0, p.exitValue());
    }

    @Test
    void theUnitRunsAsItsOwnUserHardenedWithTheGpusAllowed() throws IOException {
        Map<String, List<String>> d = directives();
        assertEquals(List.of("notify"), d.get("Type"));
        assertEquals(List.of("/opt/puna/bin/puna serve"), d.get("ExecStart"));
        assertEquals(List.of("puna"), d.get("User"));
        assertEquals(List.of("puna"), d.get("Group"));
        assertEquals(List.of("on-failure"), d.get("Restart"));
        assertEquals(List.of("yes"), d.get("NoNewPrivileges"));
        assertEquals(List.of("strict"), d.get("ProtectSystem"));
        assertEquals(List.of("yes"), d.get("ProtectHome"));
        assertEquals(List.of("yes"), d.get("PrivateTmp"));
        assertEquals(List.of("/var/lib/puna /var/cache/puna"), d.get("ReadWritePaths"));
        assertEquals(List.of("65536"), d.get("LimitNOFILE"));
        assertEquals(List.of("video render"), d.get("SupplementaryGroups"));
        assertEquals(List.of("closed"), d.get("DevicePolicy"));
        assertEquals(List.of("char-nvidia* rw", "char-drm rw", "char-kfd rw"), d.get("DeviceAllow"));
        assertTrue(d.get("Environment").contains("PUNA_MODELS=/var/lib/puna/models"), d.get("Environment").toString());
        // The stop timeout leaves the drain (PUNA_SHUTDOWN_TIMEOUT) time to end before systemd's SIGKILL.
        assertTrue(d.get("Environment").contains("PUNA_SHUTDOWN_TIMEOUT=30s"));
        assertEquals(List.of("60"), d.get("TimeoutStopSec"));
    }
}
