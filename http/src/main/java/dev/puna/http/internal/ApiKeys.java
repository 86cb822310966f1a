package dev.puna.http.internal;

import dev.puna.http.ServerConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The API keys a server accepts: those of {@code PUNA_API_KEYS} and those of {@code PUNA_API_KEY_FILE} (one a line,
 * trimmed; blank and {@code #} lines skipped), the file re-read on SIGHUP and when it changes. Only SHA-256 digests
 * of the keys are kept, and a presented key is compared with every one of them through
 * {@link MessageDigest#isEqual}, so neither the time taken nor any log line tells anything about a key.
 *
 * <p>Thread-safe: {@link #accepts} reads an immutable snapshot that {@link #reload} replaces.
 */
public final class ApiKeys {
    private static final Logger LOG = LogManager.getLogger(ApiKeys.class);
    /** The instances whose files SIGHUP re-reads; a JVM has one handler per signal, shared by every server. */
    private static final Set<ApiKeys> RELOADABLE = ConcurrentHashMap.newKeySet();
    private static volatile boolean signalInstalled;

    private final List<byte[]> fixed;
    private final Path file;
    private volatile List<byte[]> fromFile = List.of();
    private volatile Object fileStamp;

    private ApiKeys(List<String> keys, Path file) {
        List<byte[]> digests = new ArrayList<>();
        for (String k : keys) {
            digests.add(digest(k));
        }
        this.fixed = List.copyOf(digests);
        this.file = file;
    }

    /**
     * The keys of {@code keys} and, when {@code file} is not null, of that file (read now).
     *
     * @throws ServerConfigException naming {@code PUNA_API_KEY_FILE} when the file cannot be read
     */
    public static ApiKeys of(List<String> keys, Path file) {
        ApiKeys k = new ApiKeys(keys, file);
        if (file != null) {
            try {
                k.load();
            } catch (IOException e) {
                throw new ServerConfigException("PUNA_API_KEY_FILE", "cannot read '" + file + "': " + e);
            }
        }
        return k;
    }

    /** Whether any key is configured (a key file counts, even an empty one: then nothing is accepted). */
    public boolean enabled() {
        return !fixed.isEmpty() || file != null;
    }

    /** How many keys are accepted now. */
    public int count() {
        return fixed.size() + fromFile.size();
    }

    /** Whether {@code presented} is one of the keys; the time taken does not depend on which key, or how close. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] d = digest(presented);
        boolean match = false;
        for (byte[] k : fixed) {
            match |= MessageDigest.isEqual(k, d);
        }
        for (byte[] k : fromFile) {
            match |= MessageDigest.isEqual(k, d);
        }
        return match;
    }

    /** Re-reads the key file, if there is one; on failure the keys read before stay and a warning is logged. */
    public void reload() {
        if (file == null) {
            return;
        }
        try {
            load();
            LOG.info("re-read {} API keys from {}", fromFile.size(), file);
        } catch (IOException e) {
            LOG.warn("cannot re-read the API key file {} (keeping the {} keys read before): {}", file,
                    fromFile.size(), e.toString());
        }
    }

    /** Re-reads the key file if its modification time or size changed since it was last read. */
    public void reloadIfChanged() {
        if (file == null) {
            return;
        }
        Object stamp;
        try {
            stamp = stamp(file);
        } catch (IOException e) {
            return; // gone for a moment (an editor replacing it): keep the keys, try again next time
        }
        if (!stamp.equals(fileStamp)) {
            reload();
        }
    }

    private void load() throws IOException {
        Object stamp = stamp(file);
        List<byte[]> digests = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String key = line.strip();
            if (!key.isEmpty() && !key.startsWith("#")) {
                digests.add(digest(key));
            }
        }
        fromFile = List.copyOf(digests);
        fileStamp = stamp;
    }

    private static Object stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
    }

    /**
     * Makes SIGHUP re-read this instance's key file until {@link #stopReloading}. Where the JVM does not allow a
     * handler (a signal the runtime uses), file-change polling still works and a warning says so.
     */
    public void reloadOnSignal() {
        if (file == null) {
            return;
        }
        RELOADABLE.add(this);
        installSignalHandler();
    }

    /** Stops SIGHUP from re-reading this instance's file. */
    public void stopReloading() {
        RELOADABLE.remove(this);
    }

    private static synchronized void installSignalHandler() {
        if (signalInstalled) {
            return;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> RELOADABLE.forEach(ApiKeys::reload));
            signalInstalled = true;
        } catch (IllegalArgumentException e) {
            LOG.warn("cannot handle SIGHUP ({}); the API key file is still re-read when it changes", e.getMessage());
        }
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
