package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
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
 * hardening and settings the README promises; its launcher {@code contrib/systemd/puna} starts {@code serve} with
 * a small initial heap and the server's AOT cache when it may. systemd-analyze must be installed ({@code scripts/test-deps.sh}
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

    /**
     * The launcher's java command line, from a copy installed under {@code dir/opt/puna} with a stand-in JDK whose
     * {@code java} prints its arguments and whose release file says {@code jdkVersion}.
     */
    private String launch(String jdkVersion, Map<String, String> env, String... args) throws Exception {
        Path jdk = Files.createDirectories(dir.resolve("jdk-" + jdkVersion + "/bin"));
        Path java = jdk.resolve("java");
        if (!Files.exists(java)) {
            Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(jdk.getParent().resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\""
                    + jdkVersion + "\"\n");
        }
        Path bin = dir.resolve("opt/puna/bin/puna");
        List<String> command = new ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.getParent().toString());
        pb.environment().remove("PUNA_AOT");
        pb.environment().remove("PUNA_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Installs the launcher, a jar from {@code jarTime} and, if {@code aotTime} is not null, a cache from then. */
    private Path install(Instant jarTime, Instant aotTime) throws IOException {
        Path top = dir.resolve("opt/puna");
        Path launcher = Files.createDirectories(top.resolve("bin")).resolve("puna");
        Files.copy(CONTRIB.resolve("puna"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.createDirectories(top.resolve("lib")).resolve("puna-cli.jar");
        Files.writeString(jar, "jar");
        Files.setLastModifiedTime(jar, FileTime.from(jarTime));
        Path aot = top.resolve("aot/serve.aot");
        if (aotTime != null) {
            Files.createDirectories(aot.getParent());
            Files.writeString(aot, "cache");
            Files.setLastModifiedTime(aot, FileTime.from(aotTime));
        }
        return top;
    }

    @Test
    void theLauncherStartsServeWithASmallHeapAndTheAotCache() throws Exception {
        Instant now = Instant.now();
        Path top = install(now.minusSeconds(60), now);
        String lib = top.toRealPath().resolve("bin/../lib/*").toString();
        String aot = top.resolve("aot/serve.aot").toRealPath().toString();
        // JDK 25: the cache's profiled methods compiled as they load (an experimental flag there)
        assertEquals("--enable-native-access=ALL-UNNAMED -Xms64m -XX:AOTCache=" + aot
                + " -Xlog:aot=off,cds=off -XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly -cp " + lib
                + " dev.puna.cli.Main serve", launch("25.0.3", Map.of(), "serve"));
        // a later JDK gets the cache alone: the flag may be gone or renamed there
        assertEquals("--enable-native-access=ALL-UNNAMED -Xms64m -XX:AOTCache=" + aot
                + " -Xlog:aot=off,cds=off -cp " + lib + " dev.puna.cli.Main serve", launch("26", Map.of(), "serve"));
        // PUNA_JAVA_OPTS last, so that its options win; PUNA_AOT=0 leaves the cache out.
        assertEquals("--enable-native-access=ALL-UNNAMED -Xms64m -Xms1g -cp " + lib + " dev.puna.cli.Main serve",
                launch("25.0.3", Map.of("PUNA_AOT", "0", "PUNA_JAVA_OPTS", "-Xms1g"), "serve"));
        // JDK 22-24 have no -XX:AOTCache; client commands run as before.
        assertEquals("--enable-native-access=ALL-UNNAMED -Xms64m -cp " + lib + " dev.puna.cli.Main serve",
                launch("24.0.1", Map.of(), "serve"));
        assertEquals("--enable-native-access=ALL-UNNAMED -cp " + lib + " dev.puna.cli.Main list",
                launch("25.0.3", Map.of(), "list"));
    }

    @Test
    void theLauncherLeavesOutACacheOlderThanTheJars() throws Exception {
        Instant now = Instant.now();
        Path top = install(now, now.minusSeconds(60));
        assertEquals("--enable-native-access=ALL-UNNAMED -Xms64m -cp " + top.toRealPath().resolve("bin/../lib/*")
                + " dev.puna.cli.Main serve --demo", launch("25.0.3", Map.of(), "serve", "--demo"));
    }
}
