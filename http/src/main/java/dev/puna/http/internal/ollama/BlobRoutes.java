package dev.puna.http.internal.ollama;

import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.RequestBodyStream;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreServices;
import dev.puna.store.Digest;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code HEAD /api/blobs/:digest} (200 when the store has the blob, else 404) and {@code POST /api/blobs/:digest}
 * (the raw body becomes the blob: 201, 200 when it was already there, 400 when the body does not hash to the
 * digest). Digests must be {@code sha256:<64 lowercase hex>} (or {@code sha256-}), so none reaches a path outside
 * the store.
 *
 * <p>Uploads are not held in memory and not capped by {@code PUNA_MAX_BODY_SIZE} (the router lets these paths
 * stream, see {@link dev.puna.http.internal.RouteFamily#streamsBody}): the body is piped through a
 * {@link RequestBodyStream} into the store, which hashes it into a temporary file and keeps it only if the digest
 * matches. A client that disconnects mid-upload leaves nothing behind.
 */
final class BlobRoutes {
    private final ServerContext sc;

    BlobRoutes(ServerContext sc) {
        this.sc = sc;
    }

    void head(RoutingContext rc) {
        StoreServices store = sc.store();
        Digest digest = Digest.parse(rc.pathParam("digest"));
        sc.blocking(() -> store.store().hasBlob(digest)).onSuccess(has -> {
            if (has) {
                rc.response().setStatusCode(200).end();
            } else {
                rc.fail(ApiException.notFound("blob \"" + digest + "\" not found"));
            }
        }).onFailure(rc::fail);
    }

    void upload(RoutingContext rc) {
        StoreServices store = sc.store();
        Digest digest = Digest.parse(rc.pathParam("digest"));
        HttpServerResponse response = rc.response();
        Context context = rc.vertx().getOrCreateContext();
        RequestBodyStream body = RequestBodyStream.open(rc.request(), context);
        Future<?> task;
        try {
            task = store.operations().submit(() -> {
                try {
                    // false without reading the body when the store already has the blob (Ollama's 200)
                    boolean created = store.store().putBlob(digest, body);
                    context.runOnContext(v -> {
                        drain(rc);
                        if (!response.closed() && !response.ended()) {
                            response.setStatusCode(created ? 201 : 200).end();
                        }
                    });
                } catch (RuntimeException e) {
                    context.runOnContext(v -> {
                        drain(rc);
                        Responses.fail(rc, Errors.toApi(e), OllamaErrors.INSTANCE);
                    });
                }
            });
        } catch (RejectedExecutionException e) {
            throw ApiException.unavailable("server is shutting down", 5);
        }
        response.closeHandler(v -> {
            body.fail(new IOException("the client closed the connection"));
            task.cancel(true);
        });
    }

    /** Discards what is left of the body, so that the connection can carry the next request. */
    private static void drain(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (!request.isEnded()) {
            request.handler(b -> { }).resume();
        }
    }
}
