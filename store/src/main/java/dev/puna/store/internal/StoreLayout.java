package dev.puna.store.internal;

import dev.puna.store.Digest;
import dev.puna.store.InvalidDigestException;
import dev.puna.store.InvalidModelNameException;
import dev.puna.store.ModelName;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Ollama's directory layout under one root: {@code manifests/<host>/<namespace>/<model>/<tag>} and
 * {@code blobs/sha256-<hex>}, plus Puna's crash-safe writing: every file is written to a temporary file
 * ({@code .tmp-<pid>-<uuid>}) in its final directory, forced to disk, and atomically renamed over its final name.
 * A file under its final name is therefore always complete, and a blob under {@code sha256-<hex>} always hashes to
 * {@code <hex>} (its content is verified before the rename).
 *
 * <p>Paths are only ever built from a parsed {@link ModelName} or {@link Digest}, whose grammars admit no path
 * separators or dot-dot segments, and yet every builder here checks its own inputs again, part by part, before it
 * touches a path, and checks that the result lies inside its directory: the defence does not depend on every
 * caller having parsed (Ollama's 2024 digest traversal came back in 2026 in a new path builder that trusted its
 * caller). A refused input gets one uniform message, {@link #NOT_IN_STORE}, that names no path and depends on
 * nothing on disk, so an error never tells whether some file outside the store exists. Thread-safe (stateless
 * apart from the root).
 */
public final class StoreLayout {
    /** The prefix of every temporary file; no model name part or blob name can start with a dot. */
    public static final String TEMP_PREFIX = ".tmp-";
    private static final Logger LOG = LogManager.getLogger(StoreLayout.class);
    /** Why every refused model-name path fails: the same for any input, whatever exists on disk. */
    public static final String NOT_IN_STORE = "it does not name a file inside the model store";
    /**
     * One directory or file name of a manifest path: the union of the name grammar's parts (a host may hold ':'),
     * so no separator, NUL, backslash, '%', '~', whitespace, and no leading dot ({@code .}, {@code ..}, temporary
     * files).
     */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> BLOB_SUFFIXES = List.of("", "-partial", "-partial.json");

    private final Path root;
    private final Path manifests;
    private final Path blobs;

    /** The layout under {@code root} (made absolute); creates nothing. */
    public StoreLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.manifests = this.root.resolve("manifests");
        this.blobs = this.root.resolve("blobs");
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** {@code <root>/blobs}. */
    public Path blobsDir() {
        return blobs;
    }

    /** {@code <root>/manifests}. */
    public Path manifestsDir() {
        return manifests;
    }

    /** Creates {@code manifests/} and {@code blobs/} if missing. */
    public void createDirectories() throws IOException {
        Files.createDirectories(manifests);
        Files.createDirectories(blobs);
    }

    /** {@code manifests/<host>/<namespace>/<model>/<tag>}, spelled as {@code name} is. */
    public Path manifestPath(ModelName name) {
        Objects.requireNonNull(name, "name");
        return manifestPath(name.host(), name.namespace(), name.model(), name.tag());
    }

    /**
     * {@code manifests/<host>/<namespace>/<model>/<tag>} from the four parts as given, each checked here to be one
     * safe file name.
     *
     * @throws InvalidModelNameException with {@link #NOT_IN_STORE} for any part that is not
     */
    public Path manifestPath(String host, String namespace, String model, String tag) {
        String shown = host + "/" + namespace + "/" + model + ":" + tag;
        Path path = manifests;
        for (String part : new String[] {host, namespace, model, tag}) {
            path = path.resolve(segment(shown, part));
        }
        return contained(manifests, path, shown);
    }

    /** {@code blobs/sha256-<hex>}. */
    public Path blobPath(Digest digest) {
        return blobFile(hexOf(digest), "");
    }

    /** Where an interrupted download keeps its bytes: {@code blobs/sha256-<hex>-partial}. */
    public Path partialPath(Digest digest) {
        return blobFile(hexOf(digest), "-partial");
    }

    /** The bookkeeping of a partial download (which byte ranges are complete): {@code ...-partial.json}. */
    public Path partialStatePath(Digest digest) {
        return blobFile(hexOf(digest), "-partial.json");
    }

    private static String hexOf(Digest digest) {
        return Objects.requireNonNull(digest, "digest").hex();
    }

    /**
     * {@code blobs/sha256-<hex><suffix>} from the hex digits as given, checked here to be 64 lowercase hex digits
     * ({@code suffix}: none, {@code -partial} or {@code -partial.json}).
     *
     * @throws InvalidDigestException for anything else (one message, naming no path)
     */
    public Path blobFile(String hex, String suffix) {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new InvalidDigestException("sha256:" + hex);
        }
        if (!BLOB_SUFFIXES.contains(suffix)) {
            throw new IllegalArgumentException("not a blob file suffix: '" + suffix + "'");
        }
        Path path = blobs.resolve("sha256-" + hex + suffix);
        if (!isInside(blobs, path)) {
            throw new InvalidDigestException("sha256:" + hex);
        }
        return path;
    }

    /** {@code part} when it is one safe name of a manifest path (see {@link #SEGMENT}), else the uniform refusal. */
    static String segment(String shown, String part) {
        if (part == null || !SEGMENT.matcher(part).matches()) {
            throw new InvalidModelNameException(shown, NOT_IN_STORE);
        }
        return part;
    }

    /** {@code path} when it lies strictly inside {@code dir} as written (no {@code .}/{@code ..} to normalise away). */
    private static Path contained(Path dir, Path path, String shown) {
        if (!isInside(dir, path)) {
            throw new InvalidModelNameException(shown, NOT_IN_STORE);
        }
        return path;
    }

    private static boolean isInside(Path dir, Path path) {
        return path.isAbsolute() && path.equals(path.normalize()) && path.startsWith(dir) && !path.equals(dir);
    }

    /**
     * The stored spelling of {@code name}: the name itself when its manifest exists, else the first manifest whose
     * path matches case-insensitively, else empty. Ollama matches names case-insensitively while keeping the
     * spelling a model was stored under; on a case-sensitive file system that takes a directory scan.
     */
    public Optional<ModelName> findExisting(ModelName name) {
        if (Files.isRegularFile(manifestPath(name), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(name);
        }
        List<String> wanted = List.of(name.host(), name.namespace(), name.model(), name.tag());
        Path dir = manifests;
        List<String> found = new ArrayList<>();
        for (int level = 0; level < 4; level++) {
            Optional<String> match = matchIgnoringCase(dir, wanted.get(level), level == 3);
            if (match.isEmpty()) {
                return Optional.empty();
            }
            found.add(match.get());
            dir = dir.resolve(match.get());
        }
        try {
            return Optional.of(ModelName.of(found.get(0), found.get(1), found.get(2), found.get(3)));
        } catch (InvalidModelNameException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> matchIgnoringCase(Path dir, String part, boolean file) {
        segment(part, part);
        if (Files.exists(dir.resolve(part), LinkOption.NOFOLLOW_LINKS)) {
            Path exact = dir.resolve(part);
            if (file ? Files.isRegularFile(exact, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(exact)) {
                return Optional.of(part);
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                boolean kind = file ? Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(entry);
                if (kind && n.equalsIgnoreCase(part)) {
                    return Optional.of(n);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Every name with a manifest file, found by walking {@code manifests/} four levels deep. Directories and files
     * whose names break the grammar (temporary files, stray files) are skipped, and so are directories that other
     * threads remove during the walk.
     */
    public List<ModelName> manifestNames() throws IOException {
        List<ModelName> names = new ArrayList<>();
        for (Path host : children(manifests)) {
            for (Path namespace : children(host)) {
                for (Path model : children(namespace)) {
                    for (Path tag : children(model)) {
                        if (!Files.isRegularFile(tag, LinkOption.NOFOLLOW_LINKS)) {
                            continue;
                        }
                        try {
                            names.add(ModelName.of(host.getFileName().toString(),
                                    namespace.getFileName().toString(), model.getFileName().toString(),
                                    tag.getFileName().toString()));
                        } catch (InvalidModelNameException e) {
                            LOG.debug("skipping {}: not a manifest of a valid model name", tag);
                        }
                    }
                }
            }
        }
        return names;
    }

    /** The entries of a directory, or none if it is not a directory (any more). */
    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            // removed meanwhile
        }
        out.sort(null);
        return out;
    }

    /** A new temporary file name in {@code dir}, a store directory as the layout names it (the file is not created). */
    public static Path tempFile(Path dir) {
        if (!dir.isAbsolute() || !dir.equals(dir.normalize())) {
            throw new IllegalArgumentException("not a store directory: " + dir);
        }
        return dir.resolve(TEMP_PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    }

    /**
     * Writes {@code bytes} to {@code target} so that readers see either the old file or the complete new one: a
     * temporary file in the same directory, forced to disk, renamed atomically over the target.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Files.createDirectories(target.getParent());
            Path temp = tempFile(target.getParent());
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.force(true);
                }
                moveAtomically(temp, target);
                return;
            } catch (NoSuchFileException e) {
                // A delete removed the (then empty) directory between createDirectories and the temporary file;
                // once the temporary file exists the directory is not empty and stays. Create it again.
                if (attempt >= 10) {
                    throw e;
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Renames {@code source} over {@code target} atomically (same directory or file system). */
    public static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target + " atomically", e);
        }
    }

    /**
     * Deletes temporary files left behind by processes that no longer run (a {@code kill -9} during a write).
     * Files of this process or of a live process are kept: they may be in use.
     *
     * @return how many files were deleted
     */
    public int deleteStaleTempFiles() throws IOException {
        int deleted = 0;
        for (Path dir : List.of(blobs, manifests)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> temps;
            try (Stream<Path> files = Files.walk(dir, dir == manifests ? 4 : 1)) {
                temps = files.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            for (Path temp : temps) {
                if (!ownerAlive(temp.getFileName().toString()) && Files.deleteIfExists(temp)) {
                    LOG.info("deleted {}, left behind by an interrupted write", temp);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private static boolean ownerAlive(String tempName) {
        String rest = tempName.substring(TEMP_PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
