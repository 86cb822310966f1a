package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The loader gives an engine a pause after first tokens only when its threads leave the event loop no core. */
class EngineLoaderFirstTokenPauseTest {
    @Test
    void aCpuEngineWithAThreadForEveryCorePausesAndAnyOtherDoesNot() {
        assertEquals(Duration.ofNanos(250_000), EngineLoader.firstTokenPause(2, 2, true));
        assertEquals(Duration.ofNanos(250_000), EngineLoader.firstTokenPause(16, 8, true));
        assertEquals(Duration.ZERO, EngineLoader.firstTokenPause(1, 2, true)); // a core to spare
        assertEquals(Duration.ZERO, EngineLoader.firstTokenPause(16, 16, false)); // layers on a GPU or RPC workers
    }
}
