/**
 * GPU offload planning: which compute devices llama.cpp sees ({@link dev.puna.runtime.offload.Devices}), what a model
 * needs per layer ({@link dev.puna.runtime.offload.ModelFootprint}, read from the GGUF tensor table), and how many
 * layers go to which GPU ({@link dev.puna.runtime.offload.OffloadPlanner}, a pure function of those two and the
 * load settings, so it is tested on recorded device figures without a GPU).
 */
package dev.puna.runtime.offload;
