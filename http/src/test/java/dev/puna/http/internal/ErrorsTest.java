package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.puna.runtime.ContextOverflowException;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.ModelLoadException;
import dev.puna.runtime.NativeException;
import dev.puna.runtime.QueueFullException;
import dev.puna.runtime.ResourceClosedException;
import dev.puna.runtime.chat.ChatTemplateException;
import dev.puna.store.InvalidDigestException;
import dev.puna.store.InvalidModelNameException;
import dev.puna.store.ModelNotFoundException;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.QuantizationException;
import dev.puna.store.ReadOnlyModelException;
import dev.puna.store.RegistryException;
import dev.puna.store.StoreIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Every runtime and store failure gets the status its cause deserves; user mistakes are never a 500. */
class ErrorsTest {
    @Test
    void userMistakesAre4xx() {
        ApiException e = Errors.toApi(new InvalidParameterException("top_k", "must be >= 0, got -1"));
        assertEquals(400, e.status());
        assertEquals("top_k", e.param());
        assertEquals("top_k: must be >= 0, got -1", e.getMessage());

        ApiException overflow = Errors.toApi(new ContextOverflowException(300, 256));
        assertEquals(400, overflow.status());
        assertEquals("num_ctx", overflow.param());

        ApiException template = Errors.toApi(new ChatTemplateException("roles must alternate", null, 3, true));
        assertEquals(400, template.status());
        assertEquals("the chat template rejected the messages: roles must alternate", template.getMessage());
    }

    @Test
    void busyIs503WithRetryAfter() {
        ApiException e = Errors.toApi(new QueueFullException(512));
        assertEquals(503, e.status());
        assertEquals(1, e.retryAfterSeconds());
        assertEquals("server busy: 512 requests are already waiting; retry later", e.getMessage());
        assertEquals(503, Errors.toApi(new ResourceClosedException("engine closed")).status());
    }

    @Test
    void serverFaultsAre500() {
        assertEquals(500, Errors.toApi(new ModelLoadException(Path.of("/m.gguf"), "truncated")).status());
        assertEquals(500, Errors.toApi(new ChatTemplateException("syntax error")).status());
        assertEquals(500, Errors.toApi(new NativeException("llama_decode failed")).status());
        assertEquals("internal error: java.lang.IllegalStateException: boom",
                Errors.toApi(new IllegalStateException("boom")).getMessage());
    }

    @Test
    void wrappersAreUnwrappedAndApiExceptionsPassThrough() {
        ApiException original = ApiException.modelNotFound("x");
        assertSame(original, Errors.toApi(new CompletionException(original)));
        assertEquals("model 'x' not found", original.getMessage());
        assertEquals(404, original.status());
    }

    @Test
    void statusesChosenElsewhereKeepTheirKind() {
        assertEquals(403, ApiException.ofStatus(403, "CORS Rejected").status());
        assertEquals(400, ApiException.ofStatus(418, "teapot").status());
        assertEquals(502, ApiException.ofStatus(502, "bad gateway").status());
        assertEquals(500, ApiException.ofStatus(504, "gateway timeout").status());
    }

    @Test
    void storeErrorsKeepTheStatusTheStoreChose() {
        assertEquals(400, Errors.toApi(new InvalidModelNameException("../x", "bad")).status());
        assertEquals(400, Errors.toApi(new InvalidDigestException("sha256:x")).status());
        ApiException missing = Errors.toApi(new ModelNotFoundException("nope"));
        assertEquals(404, missing.status());
        assertEquals("model 'nope' not found", missing.getMessage());
        assertEquals(403, Errors.toApi(new ReadOnlyModelException("x", "/ollama")).status());
        assertEquals(499, Errors.toApi(new OperationCancelledException("pull")).status());
        assertEquals(401, Errors.toApi(new RegistryException("denied", 401, "UNAUTHORIZED", null)).status());
        assertEquals(502, Errors.toApi(new RegistryException("unreachable", 0, null, null)).status());
        assertEquals(501, Errors.toApi(new QuantizationException("no quantizer", 501, null)).status());
        assertEquals(500, Errors.toApi(new StoreIOException("disk full", null)).status());
    }
}
