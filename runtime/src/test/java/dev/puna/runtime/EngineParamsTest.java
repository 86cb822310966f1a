package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineParamsTest {
    @Test
    void theIdleSaveDelayDefaultsTo250MillisecondsAndTakesZeroToAnHour() {
        assertEquals(Duration.ofMillis(250), EngineParams.builder().build().idleSaveDelay());
        assertEquals(Duration.ZERO, EngineParams.builder().idleSaveDelay(Duration.ZERO).build().idleSaveDelay());
        assertEquals(Duration.ofHours(1),
                EngineParams.builder().idleSaveDelay(Duration.ofHours(1)).build().idleSaveDelay());
    }

    @Test
    void aNegativeOrOverlongIdleSaveDelayIsRefusedByName() {
        InvalidParameterException negative = assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().idleSaveDelay(Duration.ofMillis(-1)));
        assertEquals("idle_save_delay", negative.parameter());
        assertEquals("idle_save_delay", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().idleSaveDelay(Duration.ofHours(1).plusNanos(1))).parameter());
        assertThrows(NullPointerException.class, () -> EngineParams.builder().idleSaveDelay(null));
    }

    @Test
    void theBatchWindowDefaultsToFiveMillisecondsAndTakesZeroToASecond() {
        assertEquals(Duration.ofMillis(5), EngineParams.builder().build().batchWindow());
        assertEquals(Duration.ZERO, EngineParams.builder().batchWindow(Duration.ZERO).build().batchWindow());
        assertEquals(Duration.ofSeconds(1),
                EngineParams.builder().batchWindow(Duration.ofSeconds(1)).build().batchWindow());
        assertEquals("batch_window", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().batchWindow(Duration.ofNanos(-1))).parameter());
        assertEquals("batch_window", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().batchWindow(Duration.ofSeconds(1).plusNanos(1))).parameter());
        assertThrows(NullPointerException.class, () -> EngineParams.builder().batchWindow(null));
    }

    @Test
    void theFirstTokenPauseIsOffByDefaultAndTakesZeroToASecond() {
        assertEquals(Duration.ZERO, EngineParams.builder().build().firstTokenPause());
        assertEquals(Duration.ofMillis(1),
                EngineParams.builder().firstTokenPause(Duration.ofMillis(1)).build().firstTokenPause());
        assertEquals(Duration.ofSeconds(1),
                EngineParams.builder().firstTokenPause(Duration.ofSeconds(1)).build().firstTokenPause());
        assertEquals("first_token_pause", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().firstTokenPause(Duration.ofNanos(-1))).parameter());
        assertEquals("first_token_pause", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().firstTokenPause(Duration.ofSeconds(1).plusNanos(1))).parameter());
        assertThrows(NullPointerException.class, () -> EngineParams.builder().firstTokenPause(null));
    }

    @Test
    void theStepTargetDefaultsTo300MillisecondsAndTakesZeroToAMinute() {
        assertEquals(Duration.ofMillis(300), EngineParams.builder().build().stepTarget());
        assertEquals(Duration.ZERO, EngineParams.builder().stepTarget(Duration.ZERO).build().stepTarget());
        assertEquals(Duration.ofMinutes(1),
                EngineParams.builder().stepTarget(Duration.ofMinutes(1)).build().stepTarget());
        assertEquals("step_target", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().stepTarget(Duration.ofNanos(-1))).parameter());
        assertEquals("step_target", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().stepTarget(Duration.ofMinutes(1).plusNanos(1))).parameter());
        assertThrows(NullPointerException.class, () -> EngineParams.builder().stepTarget(null));
    }

    @Test
    void theThreadKeepAliveDefaultsToASecondAndTakesZeroToAnHour() {
        assertEquals(Duration.ofSeconds(1), EngineParams.builder().build().threadKeepAlive());
        assertEquals(Duration.ZERO, EngineParams.builder().threadKeepAlive(Duration.ZERO).build().threadKeepAlive());
        assertEquals(Duration.ofHours(1),
                EngineParams.builder().threadKeepAlive(Duration.ofHours(1)).build().threadKeepAlive());
        assertEquals("thread_keep_alive", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().threadKeepAlive(Duration.ofNanos(-1))).parameter());
        assertEquals("thread_keep_alive", assertThrows(InvalidParameterException.class,
                () -> EngineParams.builder().threadKeepAlive(Duration.ofHours(1).plusNanos(1))).parameter());
        assertThrows(NullPointerException.class, () -> EngineParams.builder().threadKeepAlive(null));
    }
}
