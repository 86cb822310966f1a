package dev.puna.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads the llama.cpp shared libraries, once per JVM.
 *
 * <p>Load order (the first that applies wins):
 * <ol>
 *   <li>the system property {@code puna.library.path}: a directory holding {@code libllama.so} and its ggml
 *       libraries (for example {@code build/native/cpu/bin} of a checkout, or a CUDA build);</li>
 *   <li>the environment variable {@code PUNA_LIBRARY_PATH}, same meaning;</li>
 *   <li>the libraries packaged in {@code puna-native.jar} under {@value #RESOURCE_DIR}, extracted once to
 *       {@code <cache>/native/<content-hash>/} where {@code <cache>} is {@code puna.cache.dir},
 *       {@code $PUNA_CACHE_DIR}, {@code $XDG_CACHE_HOME/puna} or {@code ~/.cache/puna}.</li>
 * </ol>
 * Within a directory the libraries listed in {@code libs.index} are opened in that order (dependencies first),
 * so each {@code DT_NEEDED} entry is satisfied by an already-loaded library and no {@code LD_LIBRARY_PATH} is
 * needed; without an index only {@code libllama} is opened and its {@code $ORIGIN} run path finds the rest.
 * {@code libmtmd} (llama.cpp's multimodal library, for image projectors) is opened only when vision is first used
 * ({@link #mtmdLookup()}), from the same directory: a text-only process never maps it, and a library directory
 * built before Puna staged it still serves text models.
 * The libraries stay loaded for the life of the JVM (global arena): llama.cpp keeps global state (backends,
 * logging) that must not be unloaded under running code.
 */
public final class NativeLibrary {
    /** The llama.cpp release these bindings are written and verified against. */
    public static final String LLAMA_CPP_RELEASE = "v0.5.0";
    static final String RESOURCE_DIR = "/dev/puna/nativelib/";
    private static final String INDEX = "libs.index";
    /** Executables packaged next to the libraries (llama.cpp's rpc-server), extracted with them, never opened. */
    private static final String TOOLS_INDEX = "tools.index";

    private static volatile Loaded loaded;
    private static volatile SymbolLookup mtmd;

    private record Loaded(Path directory, SymbolLookup lookup) {
    }

    private NativeLibrary() {
    }

    /** Loads the libraries if needed and returns the lookup over {@code libllama}. */
    static SymbolLookup lookup() {
        return load().lookup();
    }

    /**
     * Loads the libraries if needed and returns the lookup over {@code libmtmd}, opening it on first use.
     *
     * @throws UnsatisfiedLinkError naming the directory when it has no {@code libmtmd}
     */
    static SymbolLookup mtmdLookup() {
        SymbolLookup m = mtmd;
        if (m == null) {
            synchronized (NativeLibrary.class) {
                m = mtmd;
                if (m == null) {
                    m = openMtmd(load().directory());
                    mtmd = m;
                }
            }
        }
        return m;
    }

    private static SymbolLookup openMtmd(Path dir) {
        String base = System.mapLibraryName("mtmd");
        Path file = dir.resolve(base);
        if (!Files.isRegularFile(file)) {
            // The packaged copy holds SONAMEs only (libmtmd.so.0), as libs.index lists them.
            try (var entries = Files.list(dir)) {
                file = entries.filter(p -> p.getFileName().toString().startsWith(base + "."))
                        .sorted().findFirst().orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        if (file == null) {
            throw new UnsatisfiedLinkError("llama.cpp's " + base + " (needed for image input) is not in " + dir
                    + "; rebuild the native module, which builds and stages it next to " + System.mapLibraryName("llama"));
        }
        return Native.openLibrary(file);
    }

    /**
     * A llama.cpp executable that travels with the libraries ({@code rpc-server}): the copy in the directory the
     * libraries are loaded from, which its {@code $ORIGIN} run path links against.
     *
     * @throws IllegalStateException naming the directory when it has no such executable
     */
    public static Path tool(String name) {
        Path dir = loadedFrom();
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
            throw new IllegalStateException("llama.cpp's " + name + " is not in " + dir
                    + "; rebuild the native module, which builds and stages it next to " + System.mapLibraryName("llama"));
        }
        return file;
    }

    /** The directory the libraries were loaded from (loading them if needed). */
    public static Path loadedFrom() {
        return load().directory();
    }

    private static Loaded load() {
        Loaded l = loaded;
        if (l == null) {
            synchronized (NativeLibrary.class) {
                l = loaded;
                if (l == null) {
                    l = loadFrom(locate());
                    loaded = l;
                }
            }
        }
        return l;
    }

    private static Path locate() {
        String prop = System.getProperty("puna.library.path");
        if (prop != null && !prop.isBlank()) {
            return requireLibraryDir(Path.of(prop), "system property puna.library.path");
        }
        String env = System.getenv("PUNA_LIBRARY_PATH");
        if (env != null && !env.isBlank()) {
            return requireLibraryDir(Path.of(env), "environment variable PUNA_LIBRARY_PATH");
        }
        try {
            Path extracted = extractPackaged(cacheDir());
            if (extracted != null) {
                return extracted;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the packaged llama.cpp libraries", e);
        }
        throw new UnsatisfiedLinkError("llama.cpp libraries not found: set -Dpuna.library.path or PUNA_LIBRARY_PATH "
                + "to a directory containing " + System.mapLibraryName("llama")
                + ", or put puna-native.jar (built by `./mvnw install`) on the class path");
    }

    private static Path requireLibraryDir(Path dir, String source) {
        if (!Files.isRegularFile(dir.resolve(System.mapLibraryName("llama")))) {
            throw new UnsatisfiedLinkError(source + " points at " + dir + ", which has no "
                    + System.mapLibraryName("llama"));
        }
        return dir.toAbsolutePath();
    }

    private static Loaded loadFrom(Path dir) {
        List<String> order = new ArrayList<>();
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            try {
                for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        order.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + index, e);
            }
        }
        String llama = System.mapLibraryName("llama");
        SymbolLookup llamaLookup = null;
        String mtmdName = System.mapLibraryName("mtmd");
        for (String lib : order) {
            if (lib.startsWith(mtmdName)) {
                continue; // opened on first use, see mtmdLookup()
            }
            SymbolLookup l = Native.openLibrary(dir.resolve(lib));
            if (lib.startsWith(llama)) {
                llamaLookup = l;
            }
        }
        if (llamaLookup == null) {
            llamaLookup = Native.openLibrary(dir.resolve(llama));
        }
        return new Loaded(dir, llamaLookup);
    }

    /** Copies the jar's libraries to a directory named by their content hash; reuses it when present. */
    static Path extractPackaged(Path cacheDir) throws IOException {
        List<String> libs = readResourceIndex(INDEX);
        if (libs == null) {
            return null;
        }
        List<String> tools = readResourceIndex(TOOLS_INDEX);
        if (tools == null) {
            tools = List.of();
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<byte[]> contents = new ArrayList<>();
        List<String> files = new ArrayList<>(libs);
        files.addAll(tools);
        for (String file : files) {
            byte[] bytes = readResource(file);
            sha.update(file.getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
            contents.add(bytes);
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path target = cacheDir.resolve("native").resolve(osArch() + "-" + hash);
        if (Files.isRegularFile(target.resolve(INDEX))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), ".extract-");
        for (int i = 0; i < files.size(); i++) {
            Path written = Files.write(tmp.resolve(files.get(i)), contents.get(i));
            if (i >= libs.size() && !written.toFile().setExecutable(true, true)) {
                throw new IOException("cannot make " + written + " executable");
            }
        }
        Files.writeString(tmp.resolve(INDEX), String.join("\n", libs) + "\n");
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException
                 | java.nio.file.DirectoryNotEmptyException e) {
            // Another JVM extracted the same content first; theirs is identical, use it.
            deleteTree(tmp);
        }
        return target;
    }

    private static List<String> readResourceIndex(String index) throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + index)) {
            if (in == null) {
                return null;
            }
            List<String> libs = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.strip();
                if (name.isEmpty()) {
                    continue;
                }
                if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                    throw new IOException("invalid library name in packaged index: " + name);
                }
                libs.add(name);
            }
            return libs;
        }
    }

    private static byte[] readResource(String lib) throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + lib)) {
            if (in == null) {
                throw new IOException("packaged index lists " + lib + " but the jar does not contain it");
            }
            return in.readAllBytes();
        }
    }

    static Path cacheDir() {
        String prop = System.getProperty("puna.cache.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("PUNA_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "puna");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "puna");
    }

    private static String osArch() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
        return os + "-" + arch;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
