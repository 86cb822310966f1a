/**
 * LoRA adapters on the HTTP side: the per-model global scales and the request's {@code lora} list
 * ({@link dev.puna.http.internal.lora.LoraScales}, {@link dev.puna.http.internal.lora.LoraField}), and
 * llama-server's {@code GET/POST /lora-adapters} ({@link dev.puna.http.internal.lora.LoraAdaptersRoute}).
 */
package dev.puna.http.internal.lora;
