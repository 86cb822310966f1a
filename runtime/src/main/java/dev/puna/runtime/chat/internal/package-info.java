/**
 * Internals of {@link dev.puna.runtime.chat}: Jinjava configured and extended to render Hugging Face chat
 * templates faithfully (Python string methods, {@code tojson}, {@code raise_exception}, {@code strftime_now}, loop
 * filters, Python's {@code str()} output). Not API; may change without notice.
 */
package dev.puna.runtime.chat.internal;
