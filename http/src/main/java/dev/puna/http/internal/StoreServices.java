package dev.puna.http.internal;

import dev.puna.store.ModelStore;
import dev.puna.store.RegistryClient;
import java.util.concurrent.ExecutorService;

/**
 * What the model-management routes work with: the store, a registry client over it, and the threads long store
 * operations (pull, push, create, blob uploads, copy, delete) run on. Those threads are the server's own, not
 * Vert.x workers, so that a client that goes away can interrupt its operation ({@code Future.cancel(true)}) and a
 * slow pull never occupies the worker pool other routes need.
 *
 * @param store the store the server serves
 * @param registry pulls into and pushes from {@code store}
 * @param operations runs store operations; shut down (interrupting what runs) when the server closes
 */
public record StoreServices(ModelStore store, RegistryClient registry, ExecutorService operations) {
}
