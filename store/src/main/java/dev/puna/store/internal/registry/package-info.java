/**
 * The OCI distribution client behind {@code RegistryClient}: URLs, the Bearer-token flow, resumable ranged
 * downloads with their part bookkeeping, uploads, and the pull and push sequences. Not API.
 */
package dev.puna.store.internal.registry;
