package dev.puna.store.internal;

import dev.puna.gguf.GgufFormatException;
import dev.puna.store.BlobNotFoundException;
import dev.puna.store.CreateRequest;
import dev.puna.store.Digest;
import dev.puna.store.InvalidRequestException;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.store.MediaTypes;
import dev.puna.store.Message;
import dev.puna.store.ModelName;
import dev.puna.store.ModelNotFoundException;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.Progress;
import dev.puna.store.ProgressListener;
import dev.puna.store.QuantizationException;
import dev.puna.store.QuantizationType;
import dev.puna.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Carries out {@code /api/create} as Ollama does: layers inherited from {@code from} or taken from uploaded GGUF
 * blobs, adapters, optional quantization of the model layer, then template, system, license, parameter and message
 * layers, a config blob, and the manifest, written atomically under the name's lock. Layers of a replaced manifest
 * that nothing references any more are pruned afterwards.
 */
public final class ModelCreator {
    private static final Logger LOG = LogManager.getLogger(ModelCreator.class);
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final StoreContext ctx;

    public ModelCreator(StoreContext ctx) {
        this.ctx = ctx;
    }

    /** A layer being assembled, with its GGUF header when it is one and the status Ollama reports for it. */
    private record Part(Layer layer, GgufFacts gguf, boolean created) {
        String status() {
            return (created ? "creating new layer " : "using existing layer ") + layer.digest();
        }
    }

    /** Creates the model; see {@link dev.puna.store.ModelStore#create}. */
    public void create(CreateRequest req, ProgressListener listener) {
        ModelName name = ModelName.parse(req.model());
        Map<String, Object> params = Parameters.validate(req.parameters());
        for (Message m : req.messages()) {
            if (!ROLES.contains(m.role())) {
                throw new InvalidRequestException("message role must be one of \"system\", \"user\", or "
                        + "\"assistant\", not \"%s\"".formatted(m.role()));
            }
        }
        QuantizationType quantize = req.quantize() == null || req.quantize().isBlank() ? null
                : QuantizationType.parse(req.quantize());
        boolean hasFrom = req.from() != null && !req.from().isBlank();
        if (!hasFrom && req.files().isEmpty()) {
            throw new InvalidRequestException("neither 'from' nor 'files' was specified");
        }
        if (hasFrom && !req.files().isEmpty()) {
            throw new InvalidRequestException("give either 'from' or 'files', not both");
        }
        try (BlobGuard.Pins pins = ctx.guard().pins()) {
            List<Part> parts = new ArrayList<>();
            Map<String, Object> inherited = new TreeMap<>();
            if (hasFrom) {
                inherited = inherit(ModelName.parse(req.from()), req.from(), parts, pins);
            } else {
                for (Map.Entry<String, Digest> f : new TreeMap<>(req.files()).entrySet()) {
                    listener.onProgress(Progress.status("parsing GGUF"));
                    parts.add(uploaded(f.getKey(), f.getValue(), pins, false));
                }
                // the model first, then projectors; by file name within each (a stable sort)
                parts.sort(java.util.Comparator.comparing(p -> !p.layer().mediaType().equals(MediaTypes.MODEL)));
            }
            for (Map.Entry<String, Digest> a : req.adapters().entrySet()) {
                parts.add(uploaded(a.getKey(), a.getValue(), pins, true));
            }
            int modelIndex = modelIndex(parts);
            if (quantize != null) {
                Part quantized = quantize(parts.get(modelIndex), quantize, pins, listener);
                parts.set(modelIndex, quantized);
            }
            BlobWriter.checkInterrupt("create");
            if (req.template() != null && !req.template().isEmpty()) {
                replace(parts, MediaTypes.TEMPLATE, text(req.template(), MediaTypes.TEMPLATE, pins));
            }
            if (req.system() != null && !req.system().isEmpty()) {
                replace(parts, MediaTypes.SYSTEM, text(req.system(), MediaTypes.SYSTEM, pins));
            }
            for (String license : req.license()) {
                if (license != null && !license.isEmpty()) {
                    parts.add(text(license, MediaTypes.LICENSE, pins));
                }
            }
            Map<String, Object> merged = Parameters.merge(inherited, params);
            if (!merged.isEmpty()) {
                replace(parts, MediaTypes.PARAMS, json(GoJson.encode(merged, true), MediaTypes.PARAMS, pins));
            }
            if (!req.messages().isEmpty()) {
                List<Object> messages = new ArrayList<>();
                for (Message m : req.messages()) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("role", m.role());
                    json.put("content", m.content());
                    messages.add(json);
                }
                replace(parts, MediaTypes.MESSAGES, json(GoJson.encode(messages, true), MediaTypes.MESSAGES, pins));
            }
            List<Layer> layers = parts.stream().map(Part::layer).toList();
            Layer config = configLayer(parts, pins);
            for (Part p : parts) {
                listener.onProgress(Progress.status(p.status()));
            }
            BlobWriter.checkInterrupt("create");
            listener.onProgress(Progress.status("writing manifest"));
            byte[] manifest = ManifestCodec.encode(Manifest.of(config, layers));
            List<Digest> replaced = ManifestWriter.write(ctx, name, manifest);
            pins.release();
            ctx.pruner().prune(replaced);
        } catch (IOException e) {
            throw new StoreIOException("creating '%s' failed".formatted(name.displayShortest()), e);
        }
        listener.onProgress(Progress.status("success"));
    }

    private Map<String, Object> inherit(ModelName fromName, String given, List<Part> parts, BlobGuard.Pins pins)
            throws IOException {
        StoredModel base = stableBase(fromName, given, pins);
        String parent = base.name().displayShortest();
        for (Layer layer : base.manifest().layers()) {
            Path blob;
            if (base.readOnly()) {
                Path source = base.layout().blobPath(layer.digest());
                if (!Files.isRegularFile(source)) {
                    throw new ModelNotFoundException(given);
                }
                ctx.writer().adopt(source, layer.digest(), pins);
            }
            blob = ctx.layout().blobPath(layer.digest());
            if (!Files.isRegularFile(blob)) {
                // deleted (and pruned) after we found it: the base model is gone
                throw new ModelNotFoundException(given);
            }
            GgufFacts facts = isGguf(layer.mediaType()) ? readGguf(blob, layer.digest().toString()) : null;
            parts.add(new Part(layer.from(parent), facts, false));
        }
        return Catalog.parameters(base);
    }

    /**
     * The base model with its blobs pinned. A blob already gone means the base was replaced (or deleted) since its
     * manifest was read: read it again, a few times, before concluding it is gone.
     */
    private StoredModel stableBase(ModelName fromName, String given, BlobGuard.Pins pins) {
        for (int attempt = 0; ; attempt++) {
            StoredModel base = ctx.catalog().find(fromName).orElseThrow(() -> new ModelNotFoundException(given));
            pins.add(base.manifest().blobs().stream().map(Layer::digest).toList());
            boolean complete = base.manifest().blobs().stream()
                    .allMatch(l -> Files.isRegularFile(base.layout().blobPath(l.digest())));
            if (complete || attempt >= 3) {
                return base;
            }
        }
    }

    private Part uploaded(String fileName, Digest digest, BlobGuard.Pins pins, boolean adapter) {
        pins.add(digest);
        Path blob = ctx.layout().blobPath(digest);
        if (!Files.isRegularFile(blob)) {
            throw new BlobNotFoundException(digest, fileName);
        }
        GgufFacts facts = readGguf(blob, fileName);
        String type = facts.mediaType();
        if (adapter && !type.equals(MediaTypes.ADAPTER)) {
            throw new InvalidRequestException("'%s' is not a LoRA adapter (general.type is '%s')"
                    .formatted(fileName, facts.kind()));
        }
        if (!adapter && type.equals(MediaTypes.ADAPTER)) {
            throw new InvalidRequestException("'%s' is a LoRA adapter; pass it in 'adapters'".formatted(fileName));
        }
        try {
            return new Part(new Layer(type, digest, Files.size(blob)), facts, false);
        } catch (IOException e) {
            throw new StoreIOException("cannot read " + blob, e);
        }
    }

    private static boolean isGguf(String mediaType) {
        return mediaType.equals(MediaTypes.MODEL) || mediaType.equals(MediaTypes.PROJECTOR)
                || mediaType.equals(MediaTypes.ADAPTER);
    }

    private static GgufFacts readGguf(Path blob, String what) {
        try {
            return GgufFacts.read(blob);
        } catch (GgufFormatException e) {
            // The problem alone: the message goes to the client, and the blob's path is the server's business.
            throw new InvalidRequestException("supplied file '%s' was not in GGUF format: %s"
                    .formatted(what, e.problem()), e);
        } catch (IOException e) {
            throw new StoreIOException("cannot read " + blob, e);
        }
    }

    private static int modelIndex(List<Part> parts) {
        int index = -1;
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).layer().mediaType().equals(MediaTypes.MODEL)) {
                if (index >= 0) {
                    throw new InvalidRequestException("more than one model file; give one model GGUF (and "
                            + "optionally a projector)");
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new InvalidRequestException("no model layer: 'files' must include a GGUF model");
        }
        return index;
    }

    private Part quantize(Part model, QuantizationType type, BlobGuard.Pins pins, ProgressListener listener)
            throws IOException {
        GgufFacts facts = model.gguf();
        long ft = facts.fileType().orElse(-1);
        if (ft == type.llamaFileType()) {
            return model;
        }
        if (ft != FileTypes.F32 && ft != FileTypes.F16 && ft != FileTypes.BF16) {
            throw new InvalidRequestException("quantization is only supported for F32, F16 and BF16 models, not "
                    + facts.fileTypeName());
        }
        if (ctx.quantizer() == null) {
            throw new QuantizationException("quantization is not available: no quantizer is configured", 501,
                    null);
        }
        Path input = ctx.layout().blobPath(model.layer().digest());
        long size = model.layer().size();
        String status = "quantizing %s model to %s".formatted(facts.fileTypeName(), type.displayName());
        listener.onProgress(new Progress(status, null, size, 0));
        Path output = StoreLayout.tempFile(ctx.layout().blobsDir());
        try {
            runQuantizer(input, output, type, size, status, listener);
            GgufFacts out;
            try {
                out = GgufFacts.read(output);
            } catch (IOException e) {
                throw new QuantizationException("the quantizer's output is not a valid GGUF file: "
                        + e.getMessage(), 500, e);
            }
            if (out.fileType().orElse(-1) != type.llamaFileType()) {
                throw new QuantizationException("the quantizer wrote a %s file, not %s"
                        .formatted(out.fileTypeName(), type.displayName()), 500, null);
            }
            BlobWriter.Written written = ctx.writer().moveIn(output, pins);
            return new Part(new Layer(MediaTypes.MODEL, written.digest(), written.size()), out, written.created());
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Runs the quantizer on its own thread so its progress reaches the listener on the caller's thread. */
    private void runQuantizer(Path input, Path output, QuantizationType type, long size, String status,
            ProgressListener listener) {
        AtomicReference<Double> fraction = new AtomicReference<>(0.0);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "puna-quantize");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<?> job = executor.submit(() -> {
                ctx.quantizer().quantize(input, output, type, f -> fraction.set(Math.clamp(f, 0.0, 1.0)));
                return null;
            });
            double reported = 0;
            while (true) {
                try {
                    job.get(100, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    double now = fraction.get();
                    if (now != reported) {
                        reported = now;
                        listener.onProgress(new Progress(status, null, size, (long) (now * size)));
                    }
                } catch (InterruptedException e) {
                    job.cancel(true);
                    // The quantizer stops on interrupt (the server's kills its child process); wait for it, so
                    // nothing still writes the output when the caller deletes it and nothing keeps the cores busy.
                    executor.shutdown();
                    awaitStopped(executor);
                    Thread.currentThread().interrupt();
                    throw new OperationCancelledException("quantization");
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new QuantizationException("quantization failed: " + cause.getMessage(), 500, cause);
                }
            }
            listener.onProgress(new Progress(status, null, size, size));
        } finally {
            executor.shutdownNow();
        }
    }

    private static void awaitStopped(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("the quantizer did not stop within 60 s of its cancellation");
            }
        } catch (InterruptedException again) {
            Thread.currentThread().interrupt();
        }
    }

    private Part text(String text, String mediaType, BlobGuard.Pins pins) throws IOException {
        return json(text.getBytes(StandardCharsets.UTF_8), mediaType, pins);
    }

    private Part json(byte[] bytes, String mediaType, BlobGuard.Pins pins) throws IOException {
        BlobWriter.Written w = ctx.writer().write(bytes, pins);
        return new Part(new Layer(mediaType, w.digest(), w.size()), null, w.created());
    }

    private static void replace(List<Part> parts, String mediaType, Part replacement) {
        parts.removeIf(p -> p.layer().mediaType().equals(mediaType));
        parts.add(replacement);
    }

    private Layer configLayer(List<Part> parts, BlobGuard.Pins pins) throws IOException {
        GgufFacts model = parts.stream().filter(p -> p.layer().mediaType().equals(MediaTypes.MODEL))
                .findFirst().orElseThrow().gguf();
        List<String> families = new ArrayList<>();
        families.add(model.architecture());
        for (Part p : parts) {
            if (p.gguf() != null && !families.contains(p.gguf().architecture())) {
                families.add(p.gguf().architecture());
            }
        }
        ModelConfig config = new ModelConfig("gguf", model.architecture(), families,
                HumanNumber.format(model.parameterCount()), model.fileTypeName(),
                parts.stream().map(p -> p.layer().digest()).toList());
        BlobWriter.Written w = ctx.writer().write(config.encode(), pins);
        return new Layer(MediaTypes.CONFIG, w.digest(), w.size());
    }
}
