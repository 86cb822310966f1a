/**
 * The server's machinery, shared by every API family: the {@link dev.puna.http.internal.ModelScheduler} (Ollama's
 * load/keep-alive/evict semantics), the one error type {@link dev.puna.http.internal.ApiException} with
 * {@link dev.puna.http.internal.Errors} mapping runtime exceptions onto it and an
 * {@link dev.puna.http.internal.ErrorRenderer} per API, {@link dev.puna.http.internal.GenerationStream} (engine
 * events to an HTTP response with ordering, backpressure and cancellation), request parsing
 * ({@link dev.puna.http.internal.JsonBody}, {@link dev.puna.http.internal.OptionsParser}) and the router
 * ({@link dev.puna.http.internal.ServerRouter}, {@link dev.puna.http.internal.RouteFamily}). Not API.
 */
package dev.puna.http.internal;
