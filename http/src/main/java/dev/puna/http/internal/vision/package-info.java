/**
 * Images on the HTTP routes: reading them from each API's fields and tokenizing prompts with images through the
 * loaded model's projector ({@link dev.puna.http.internal.vision.ImageInputs}).
 */
package dev.puna.http.internal.vision;
