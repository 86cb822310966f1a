/** Vision internals for the engine (the only place a native llama context meets the projector). */
package dev.puna.runtime.vision.internal;
