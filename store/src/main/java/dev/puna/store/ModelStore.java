package dev.puna.store;

import dev.puna.store.internal.BlobGuard;
import dev.puna.store.internal.BlobWriter;
import dev.puna.store.internal.Catalog;
import dev.puna.store.internal.ManifestWriter;
import dev.puna.store.internal.ModelCreator;
import dev.puna.store.internal.NameLocks;
import dev.puna.store.internal.ShowBuilder;
import dev.puna.store.internal.StoreContext;
import dev.puna.store.internal.StoreLayout;
import dev.puna.store.internal.StoredModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An Ollama-compatible model store in one directory: {@code manifests/<host>/<namespace>/<model>/<tag>} and
 * {@code blobs/sha256-<hex>}, the same files Ollama writes, optionally merged with an existing Ollama store
 * (e.g. {@code ~/.ollama/models}) that is only ever read.
 *
 * <p>Each method is what one Ollama route needs: {@link #list} ({@code GET /api/tags}), {@link #show}
 * ({@code POST /api/show}), {@link #resolve} (loading a model to run it), {@link #copy} ({@code POST /api/copy}),
 * {@link #delete} ({@code DELETE /api/delete}), {@link #hasBlob} and {@link #putBlob} ({@code HEAD|POST
 * /api/blobs/:digest}), {@link #create} ({@code POST /api/create}); pull and push are {@link RegistryClient}'s.
 * Errors are {@link StoreException}s carrying the HTTP status to answer with.
 *
 * <p>Crash safety: every file is written to a temporary file, verified (blobs are hashed), and atomically
 * renamed; a blob file's name always matches its content, and a manifest is either the old or the new one.
 * Temporary files left by a killed process are deleted when a store is opened.
 *
 * <p>Thread-safe. Operations on the same name are serialized where they swap or remove its manifest; unused blobs
 * are pruned after delete and replace, never while another operation still needs them. One process should own
 * a store directory at a time (locks are in-process).
 */
public final class ModelStore {
    /** The default grace period of {@link #pruneUnused}: blobs uploaded within it are kept for a coming create. */
    public static final Duration DEFAULT_PRUNE_GRACE = Duration.ofHours(1);

    private final StoreContext ctx;

    private ModelStore(StoreContext ctx) {
        this.ctx = ctx;
    }

    /** Puna's default store directory, {@code ~/.puna/models} (the server lets {@code PUNA_MODELS} override it). */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".puna", "models");
    }

    /** Where Ollama keeps its models by default, {@code ~/.ollama/models}, for {@link Builder#ollamaStore}. */
    public static Path defaultOllamaRoot() {
        return Path.of(System.getProperty("user.home"), ".ollama", "models");
    }

    /** Opens (creating if needed) the store at {@code root}, e.g. {@link #defaultRoot()}. */
    public static ModelStore open(Path root) {
        return builder(root).open();
    }

    /** A builder for a store at {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Configures and opens a {@link ModelStore}. Not thread-safe. */
    public static final class Builder {
        private final Path root;
        private Path ollamaRoot;
        private Quantizer quantizer;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * Also lists and resolves the models of an existing Ollama store (e.g. {@code ~/.ollama/models}),
         * read-only. A name present in both refers to Puna's copy. Ignored if the directory does not exist.
         */
        public Builder ollamaStore(Path ollamaModels) {
            this.ollamaRoot = ollamaModels;
            return this;
        }

        /** The quantizer {@link #create} uses for {@code quantize}; without one, quantizing is refused (501). */
        public Builder quantizer(Quantizer quantizer) {
            this.quantizer = quantizer;
            return this;
        }

        /**
         * Opens the store: creates its directories and deletes temporary files that killed processes left.
         *
         * @throws StoreIOException if the directories cannot be created
         */
        public ModelStore open() {
            Path ollama = ollamaRoot != null && Files.isDirectory(ollamaRoot.resolve("manifests"))
                    && !ollamaRoot.toAbsolutePath().normalize().equals(root.toAbsolutePath().normalize())
                    ? ollamaRoot : null;
            StoreContext ctx = StoreContext.create(root, ollama, quantizer);
            try {
                ctx.layout().createDirectories();
                ctx.layout().deleteStaleTempFiles();
            } catch (IOException e) {
                throw new StoreIOException("cannot open the model store at " + root, e);
            }
            return new ModelStore(ctx);
        }
    }

    /** The store's directory. */
    public Path root() {
        return ctx.layout().root();
    }

    /** The read-only Ollama store merged into this one, if any. */
    public Optional<Path> ollamaRoot() {
        return ctx.catalog().ollama().map(StoreLayout::root);
    }

    StoreContext context() {
        return ctx;
    }

    /**
     * Every model, for {@code GET /api/tags}: Puna's, then the Ollama store's that Puna does not shadow, sorted by
     * name. Models whose manifest or config cannot be read are left out (and logged).
     */
    public List<ModelSummary> list() {
        return ctx.catalog().list();
    }

    /**
     * A count of the manifest writes and deletes this store object has made (creates, copies, pulls, deletes):
     * while it stays the same, a model resolved earlier is still what {@link #resolve} would return, as far as
     * this process's changes go. The read-only Ollama store can change behind it.
     */
    public long changes() {
        return ctx.changes().get();
    }

    /**
     * Everything needed to run the model {@code name} (matched case-insensitively).
     *
     * @throws InvalidModelNameException if the name is invalid
     * @throws ModelNotFoundException if there is no such model
     * @throws CorruptModelException if its files are damaged
     */
    public ResolvedModel resolve(String name) {
        return readStable(name, Catalog::resolve);
    }

    /**
     * The answer to {@code POST /api/show}: details, GGUF metadata ({@code model_info}; arrays over 1024 elements
     * are null unless {@code verbose}), template, system, parameters, license, a Modelfile and capabilities.
     *
     * @throws InvalidModelNameException if the name is invalid
     * @throws ModelNotFoundException if there is no such model
     */
    public ShowResult show(String name, boolean verbose) {
        return readStable(name, model -> ShowBuilder.build(model, verbose));
    }

    /**
     * Reads a model while another thread may replace or delete it: the manifest's blobs are pinned (so pruning
     * cannot remove them mid-read), and if one is already gone the manifest was replaced meanwhile and is read
     * again. Readers therefore see the old model or the new one, never a mix and never a missing layer.
     */
    private <T> T readStable(String name, java.util.function.Function<StoredModel, T> read) {
        ModelName parsed = ModelName.parse(name);
        for (int attempt = 0; ; attempt++) {
            StoredModel model = ctx.catalog().find(parsed).orElseThrow(() -> new ModelNotFoundException(name));
            try (BlobGuard.Pins pins = ctx.guard().pins()) {
                pins.add(model.manifest().blobs().stream().map(Layer::digest).toList());
                boolean complete = model.manifest().blobs().stream()
                        .allMatch(l -> Files.isRegularFile(model.layout().blobPath(l.digest())));
                if (complete || attempt >= 3) {
                    return read.apply(model);
                }
            }
        }
    }

    /**
     * Copies a model ({@code POST /api/copy}): the destination gets a byte-identical manifest (so the same digest),
     * replacing any model of that name. A source in the Ollama store has its blobs linked (or copied) into Puna's
     * store first.
     *
     * @throws InvalidModelNameException if either name is invalid
     * @throws ModelNotFoundException if the source does not exist
     */
    public void copy(String source, String destination) {
        ModelName src = ModelName.parse(source);
        ModelName dst = ModelName.parse(destination);
        try (BlobGuard.Pins pins = ctx.guard().pins()) {
            StoredModel model;
            List<Digest> replaced;
            NameLocks.Held held = ctx.locks().lock(src, dst);
            try {
                model = ctx.catalog().find(src).orElseThrow(() -> new ModelNotFoundException(source));
                pins.add(model.manifest().blobs().stream().map(Layer::digest).toList());
                for (Layer layer : model.manifest().blobs()) {
                    if (model.readOnly()) {
                        ctx.writer().adopt(model.layout().blobPath(layer.digest()), layer.digest(), pins);
                    } else if (!Files.isRegularFile(ctx.layout().blobPath(layer.digest()))) {
                        throw new CorruptModelException("model '%s' is missing its blob %s"
                                .formatted(src.displayShortest(), layer.digest()));
                    }
                }
                replaced = ManifestWriter.write(ctx, dst, model.bytes());
            } finally {
                held.unlock();
            }
            pins.release();
            ctx.pruner().prune(replaced);
        } catch (IOException e) {
            throw new StoreIOException("copying '%s' to '%s' failed".formatted(source, destination), e);
        }
    }

    /**
     * Deletes a model ({@code DELETE /api/delete}) and prunes its blobs that no other model uses (and no running
     * operation needs).
     *
     * @throws InvalidModelNameException if the name is invalid
     * @throws ModelNotFoundException if Puna's store has no such model
     * @throws ReadOnlyModelException if the model exists only in the read-only Ollama store
     */
    public void delete(String name) {
        ModelName parsed = ModelName.parse(name);
        List<Digest> blobs;
        NameLocks.Held held = ctx.locks().lock(parsed);
        try {
            Optional<StoredModel> own;
            try {
                own = ctx.catalog().findOwn(parsed);
            } catch (CorruptModelException e) {
                // An unreadable manifest can still be deleted; its blobs are left to a full prune.
                Path manifest = ctx.layout().manifestPath(ctx.layout().findExisting(parsed).orElse(parsed));
                Files.deleteIfExists(manifest);
                ctx.changes().incrementAndGet();
                deleteEmptyParents(manifest.getParent());
                return;
            }
            if (own.isEmpty()) {
                if (ctx.catalog().find(parsed).isPresent()) {
                    throw new ReadOnlyModelException(name, ollamaRoot().map(Path::toString).orElse(""));
                }
                throw new ModelNotFoundException(name);
            }
            blobs = own.get().manifest().blobs().stream().map(Layer::digest).toList();
            Path manifest = own.get().manifestPath();
            Files.deleteIfExists(manifest);
            ctx.changes().incrementAndGet();
            deleteEmptyParents(manifest.getParent());
        } catch (IOException e) {
            throw new StoreIOException("deleting '%s' failed".formatted(name), e);
        } finally {
            held.unlock();
        }
        ctx.pruner().prune(blobs);
    }

    private void deleteEmptyParents(Path dir) {
        Path stop = ctx.layout().manifestsDir();
        while (dir != null && dir.startsWith(stop) && !dir.equals(stop)) {
            try {
                Files.delete(dir);
            } catch (IOException e) {
                return; // not empty (or in use): keep it
            }
            dir = dir.getParent();
        }
    }

    /** Whether the store has the blob ({@code HEAD /api/blobs/:digest}: 200 or 404). */
    public boolean hasBlob(Digest digest) {
        return Files.isRegularFile(ctx.layout().blobPath(digest));
    }

    /** The path of a blob of Puna's store, or empty if it has none. */
    public Optional<Path> blobPath(Digest digest) {
        Path path = ctx.layout().blobPath(digest);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /**
     * Stores an uploaded blob ({@code POST /api/blobs/:digest}), verifying that {@code body} hashes to
     * {@code digest}. The body is streamed to a temporary file, never held in memory.
     *
     * @return true if the blob was stored (201), false if the store already had it (200; the body is not read)
     * @throws DigestMismatchException if the content does not match {@code digest} (400; nothing is stored)
     */
    public boolean putBlob(Digest digest, InputStream body) {
        if (hasBlob(digest)) {
            return false;
        }
        try (BlobGuard.Pins pins = ctx.guard().pins()) {
            return ctx.writer().write(body, digest, pins).created();
        } catch (IOException e) {
            throw new StoreIOException("storing blob " + digest + " failed", e);
        }
    }

    /**
     * Puts a local file into the store as a blob without holding two copies of it: hard-linked when it is on the
     * store's file system (changing the original in place later changes the blob too), else copied once while it
     * is hashed. Reports {@code importing <file name>} with bytes done.
     *
     * @return the blob's digest
     */
    public Digest importFile(Path file, ProgressListener listener) {
        String status = "importing " + file.getFileName();
        try (BlobGuard.Pins pins = ctx.guard().pins()) {
            long size = Files.size(file);
            BlobWriter.Written w = ctx.writer().importFile(file, pins, done -> { });
            listener.onProgress(new Progress(status, w.digest().toString(), size, size));
            return w.digest();
        } catch (IOException e) {
            throw new StoreIOException("importing " + file + " failed", e);
        }
    }

    /**
     * Registers a local GGUF file under {@code name}: {@link #importFile} and then {@link #create} with the file
     * as the model layer.
     */
    public void register(String name, Path ggufFile, ProgressListener listener) {
        ModelName.parse(name);
        Digest digest = importFile(ggufFile, listener);
        create(CreateRequest.builder(name).file(ggufFile.getFileName().toString(), digest).build(), listener);
    }

    /**
     * Creates (or replaces) a model ({@code POST /api/create}). Reports Ollama's statuses: {@code parsing GGUF},
     * {@code quantizing F16 model to Q8_0} (with bytes done), {@code using existing layer sha256:...} or
     * {@code creating new layer sha256:...} per layer, {@code writing manifest}, {@code success}.
     *
     * @throws InvalidModelNameException if a name is invalid
     * @throws InvalidRequestException for a bad parameter, message role, quantization type or source type
     * @throws ModelNotFoundException if {@code from} does not exist
     * @throws BlobNotFoundException if a {@code files} or {@code adapters} blob was not uploaded
     * @throws QuantizationException if quantizing is unavailable or fails
     */
    public void create(CreateRequest request, ProgressListener listener) {
        new ModelCreator(ctx).create(request, listener);
    }

    /**
     * Deletes every blob no manifest references, except those modified within {@code grace} (uploads waiting for
     * their create) and those an operation in progress needs. For server start-up.
     *
     * @return how many blobs were deleted
     */
    public int pruneUnused(Duration grace) {
        return ctx.pruner().pruneAll(grace).size();
    }
}
