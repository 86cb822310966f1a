package dev.puna.http;

import dev.puna.http.internal.GgufFacts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ModelCatalog} over a folder of GGUF files: {@code <dir>/<name>.gguf} is the model
 * {@code <name>:latest} (names lower-cased). Good for serving local files directly and for tests; the model
 * store replaces it for pulled models.
 *
 * <p>Names resolve as Ollama's do: {@code qwen}, {@code qwen:latest}, {@code library/qwen} and
 * {@code registry.ollama.ai/library/qwen:latest} are the same model, case-insensitively. Digests are the files'
 * SHA-256, computed on first use and cached while size and modification time stay the same. A file that is not a
 * readable GGUF model is left out with a warning. Thread-safe.
 */
public final class GgufDirectoryCatalog implements ModelCatalog {
    private static final org.apache.logging.log4j.Logger LOG =
            org.apache.logging.log4j.LogManager.getLogger(GgufDirectoryCatalog.class);
    private static final String SUFFIX = ".gguf";

    private final Path dir;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long size, FileTime modified, CatalogModel model) {
    }

    /** A catalog of the {@code *.gguf} files directly inside {@code dir} (which need not exist yet). */
    public GgufDirectoryCatalog(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<CatalogModel> find(String name) throws IOException {
        String wanted = canonical(name);
        for (CatalogModel m : list()) {
            if (m.name().equals(wanted)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    @Override
    public List<CatalogModel> list() throws IOException {
        List<CatalogModel> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        }
        files.sort(null);
        for (Path file : files) {
            if (Files.isRegularFile(file)) {
                try {
                    out.add(describe(file));
                } catch (IOException e) {
                    // One bad file must not hide the others.
                    LOG.warn("skipping {}", e.getMessage());
                }
            }
        }
        return out;
    }

    /** Ollama's defaults: registry.ollama.ai host, library namespace, latest tag; case-insensitive. */
    static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("registry.ollama.ai/")) {
            n = n.substring("registry.ollama.ai/".length());
        }
        if (n.startsWith("library/")) {
            n = n.substring("library/".length());
        }
        int slash = n.lastIndexOf('/');
        return n.indexOf(':', slash + 1) < 0 ? n + ":latest" : n;
    }

    private CatalogModel describe(Path file) throws IOException {
        long size = Files.size(file);
        FileTime modified = Files.getLastModifiedTime(file);
        Cached c = cache.get(file);
        if (c != null && c.size == size && c.modified.equals(modified)) {
            return c.model;
        }
        String stem = file.getFileName().toString();
        stem = stem.substring(0, stem.length() - SUFFIX.length()).toLowerCase(Locale.ROOT);
        GgufFacts facts;
        try {
            facts = GgufFacts.read(file);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        CatalogModel model = CatalogModel.ofFile(stem + ":latest", file, "sha256:" + sha256(file), size,
                modified.toInstant(), facts.details());
        cache.put(file, new Cached(size, modified, model));
        return model;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
