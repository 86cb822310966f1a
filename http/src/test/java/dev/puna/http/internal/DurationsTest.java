package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** keep_alive values as Ollama reads them. */
class DurationsTest {
    @Test
    void numbersAreSeconds() {
        assertEquals(Duration.ofSeconds(300), Durations.ofSeconds(300));
        assertEquals(Duration.ofMillis(1500), Durations.ofSeconds(1.5));
        assertEquals(Duration.ZERO, Durations.ofSeconds(0));
        assertTrue(Durations.isForever(Durations.ofSeconds(-1)));
        assertTrue(Durations.isForever(Durations.ofSeconds(-0.5)));
    }

    @Test
    void goDurationStrings() {
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(300), Durations.parse("300ms"));
        assertEquals(Duration.ofNanos(1500), Durations.parse("1.5us"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1.5m"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertTrue(Durations.isForever(Durations.parse("-1m")));
        assertTrue(Durations.isForever(Durations.parse("-1")));
    }

    @Test
    void bareNumberStringsAreSeconds() {
        assertEquals(Duration.ofSeconds(3600), Durations.parse("3600"));
        assertEquals(Duration.ofSeconds(10), Durations.parse(" 10 "));
    }

    @Test
    void garbageIsRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
        assertEquals("invalid duration '5 minutes' (expected seconds or a Go duration such as 5m, 1h30m, 300ms)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5x"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Durations.ofSeconds(Double.NaN));
    }

    @Test
    void formatsLikeGo() {
        assertEquals("5m0s", Durations.format(Duration.ofMinutes(5)));
        assertEquals("1h30m0s", Durations.format(Duration.ofMinutes(90)));
        assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
        assertEquals("forever", Durations.format(Durations.FOREVER));
    }
}
